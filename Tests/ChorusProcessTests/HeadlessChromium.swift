import Foundation
#if canImport(Glibc)
import Glibc
import ChorusTesting
#endif

/// Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
/// JSON commands on its fd 3, replies and events on its fd 4, each message ended by a NUL byte).
/// One page stays open for the whole test, so what its script does on live updates can be read
/// without reloading it; `--dump-dom` loads a fresh page every time and cannot show that.
/// The pipe needs no port and no WebSocket client. Not thread-safe: one test drives it, and each
/// call blocks its thread until Chromium replies or the call's deadline passes.
final class HeadlessChromium: @unchecked Sendable {
    /// An open tab, addressed by its DevTools session.
    struct Page {
        let session: String
    }

    struct ProtocolError: Error, CustomStringConvertible {
        let description: String
    }

    private let pid: pid_t
    private let commands: Int32
    private let replies: Int32
    private let profile: URL
    let log: URL
    private var unread = Data()
    private var lastCommandID = 0

    init(_ executable: URL) throws {
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        log = profile.appendingPathComponent("chromium.log")
        let arguments = [
            executable.path, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--user-data-dir=\(profile.path)", "--remote-debugging-pipe",
            // A page opened over the protocol may count as a background tab; its timers must run.
            "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
            "--disable-backgrounding-occluded-windows", "about:blank",
        ]
        let logDescriptor = open(log.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard logDescriptor >= 0 else { throw ProtocolError(description: "cannot create \(log.path)") }
        // Close-on-exec everywhere: only the dup2'd copies reach Chromium, so it sees the end of
        // its command pipe when we close ours, and no other child keeps these pipes open.
        let toBrowser = try Self.closeOnExecPipe()
        let fromBrowser = try Self.closeOnExecPipe()
        defer { close(logDescriptor); close(toBrowser.read); close(fromBrowser.write) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, logDescriptor, 1)
        posix_spawn_file_actions_adddup2(&actions, logDescriptor, 2)
        posix_spawn_file_actions_adddup2(&actions, toBrowser.read, 3)
        posix_spawn_file_actions_adddup2(&actions, fromBrowser.write, 4)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable.path, &actions, nil, argv, environ)
        guard spawned == 0 else {
            close(toBrowser.write)
            close(fromBrowser.read)
            throw ProtocolError(description: "cannot start \(executable.path): error \(spawned)")
        }
        self.pid = pid
        commands = toBrowser.write
        replies = fromBrowser.read
    }

    /// Opens `url` in a new tab and attaches to it.
    func load(_ url: String) throws -> Page {
        let target = try send("Target.createTarget", ["url": url])
        guard let targetID = target["targetId"] as? String else { throw ProtocolError(description: "no targetId in \(target)") }
        let attached = try send("Target.attachToTarget", ["targetId": targetID, "flatten": true])
        guard let session = attached["sessionId"] as? String else { throw ProtocolError(description: "no sessionId in \(attached)") }
        return Page(session: session)
    }

    /// The value of a JavaScript expression evaluated in `page`, made JSON there and decoded as `T`.
    func value<T: Decodable>(of expression: String, as type: T.Type, in page: Page) throws -> T {
        let reply = try send("Runtime.evaluate", ["expression": "JSON.stringify(\(expression))", "returnByValue": true],
                             session: page.session)
        if let exception = reply["exceptionDetails"] { throw ProtocolError(description: "\(expression) threw: \(exception)") }
        guard let json = (reply["result"] as? [String: Any])?["value"] as? String else {
            throw ProtocolError(description: "\(expression) gave nothing JSON can hold: \(reply)")
        }
        return try JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    /// Kills Chromium and removes its profile.
    func stop() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        close(commands)
        close(replies)
        try? FileManager.default.removeItem(at: profile)
    }

    /// Sends one command and returns its `result`, skipping the events that arrive before it.
    /// Every reply is awaited for at most `timeout`, so a hung browser fails the test instead of
    /// holding it.
    private func send(_ method: String, _ parameters: [String: Any], session: String? = nil,
                      timeout: Duration = .seconds(20)) throws -> [String: Any] {
        lastCommandID += 1
        let id = lastCommandID
        var message: [String: Any] = ["id": id, "method": method, "params": parameters]
        if let session { message["sessionId"] = session }
        var bytes = try JSONSerialization.data(withJSONObject: message)
        bytes.append(0)
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(commands, buffer.baseAddress! + offset, buffer.count - offset)
                guard written > 0 else { throw ProtocolError(description: "Chromium closed its command pipe") }
                offset += written
            }
        }
        let deadline = ContinuousClock.now + timeout
        while true {
            let reply = try nextMessage(before: deadline, waitingFor: method)
            guard reply["id"] as? Int == id else { continue }
            if let error = reply["error"] { throw ProtocolError(description: "\(method) failed: \(error)") }
            return reply["result"] as? [String: Any] ?? [:]
        }
    }

    private func nextMessage(before deadline: ContinuousClock.Instant, waitingFor method: String) throws -> [String: Any] {
        while true {
            if let end = unread.firstIndex(of: 0) {
                let message = unread[unread.startIndex..<end]
                unread = Data(unread[(end + 1)...])
                return try JSONSerialization.jsonObject(with: message) as? [String: Any] ?? [:]
            }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw ProtocolError(description: "no reply to \(method) within the deadline") }
            var readable = pollfd(fd: replies, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
            guard poll(&readable, 1, max(milliseconds, 1)) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = read(replies, &chunk, chunk.count)
            guard count > 0 else {
                let said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw ProtocolError(description: "Chromium exited while we waited for \(method); it logged:\n\(said.suffix(2000))")
            }
            unread.append(contentsOf: chunk[0..<count])
        }
    }

    /// A pipe whose ends are close-on-exec and above 4, so the dup2s onto 3 and 4 cannot
    /// overwrite one another. (Glibc's pipe2 is not visible from Swift: the first ends live
    /// without close-on-exec only until they are copied.)
    private static func closeOnExecPipe() throws -> (read: Int32, write: Int32) {
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else { throw ProtocolError(description: "pipe failed: errno \(errno)") }
        let ends = descriptors.map { descriptor in
            defer { close(descriptor) }
            return fcntl(descriptor, F_DUPFD_CLOEXEC, 5)
        }
        guard ends.allSatisfy({ $0 >= 0 }) else { throw ProtocolError(description: "fcntl failed: errno \(errno)") }
        return (ends[0], ends[1])
    }
}
