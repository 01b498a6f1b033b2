import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The process between the agent and a command it runs (`GuardedCommand`: the upgrade tasks,
/// the application checks, the rollout's node command; `chorus command-guard`), so that the command dies with the agent whatever kills the agent: kill -9, the OOM killer, a
/// crash (issue 16: attempt 1 ran on beside attempt 2). The agent holds the write end of a pipe
/// that is the guard's stdin and never writes to it; the kernel closes it when the agent's
/// process ends, and the guard then kills its process group: itself, `/bin/sh -c COMMAND` and
/// every child that stayed in the group. A signal to the agent's child alone cannot do that:
/// nothing runs in a process killed with -9.
public enum CommandGuard {
    /// The hidden subcommand the agent runs itself as.
    public static let subcommand = "command-guard"

    public static func run(command: String) -> Never {
        // Its own group, so that the agent's kill of -pid and this guard's kill of 0 reach the
        // command's children and nothing of the agent's.
        _ = setpgid(0, 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        // The command reads nothing: its stdin is /dev/null, never the lifeline.
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let words: [String] = ["/bin/sh", "-c", command]
        let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, "/bin/sh", &actions, nil, arguments, environ)
        guard spawned == 0 else {
            FileHandle.standardError.write(Data("cannot start /bin/sh: \(String(cString: strerror(spawned)))\n".utf8))
            exit(127)
        }
        let lifeline = Thread {
            var byte: UInt8 = 0
            while true {
                let count = read(STDIN_FILENO, &byte, 1)
                if count == 0 || (count < 0 && errno != EINTR) { break }
            }
            kill(0, SIGKILL)
        }
        lifeline.start()
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        guard signal != 0 else { exit((status >> 8) & 0xff) }
        // Ended by a signal: end the same way, so the agent reports what happened to the command.
        Glibc.signal(signal, SIG_DFL)
        kill(getpid(), signal)
        exit(128 + signal)
    }
}
