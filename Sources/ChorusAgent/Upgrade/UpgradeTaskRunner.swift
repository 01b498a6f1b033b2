import ChorusCore
import Foundation
import Logging

/// Runs `upgrade.tasks_command` for a lease (SPEC §4): `/bin/sh -c COMMAND` with
/// `CHORUS_UPGRADE_FROM`, `CHORUS_UPGRADE_TO`, `CHORUS_UPGRADE_ATTEMPT` and `CHORUS_UPGRADE_TERM`
/// (the lease's fencing term), under `UpgradeTasksGuard` so that it dies with this agent; killed
/// (its whole process group) when the lease is lost or the timeout passes. The end is reported
/// once: nil on exit 0, else the reason with the last lines of output.
final class UpgradeTaskRunner: @unchecked Sendable {
    /// How much of the command's output is kept for the failure reason and the log.
    static let outputTailBytes = 4096

    /// Replaced by a reload (`update`); a command already running keeps its own.
    private var settings: (command: String?, timeout: Duration)
    private let logger: Logger
    /// The `chorus` binary that runs the guard: this process's own, unless a test says otherwise.
    private let guardExecutable: URL
    private let lock = NSLock()
    /// Each running command's guard, and the write end of its lifeline (closed: the guard kills all).
    private var running: [UInt32: (process: Process, lifeline: Pipe)] = [:]

    init(command: String?, timeout: Duration, logger: Logger,
         guardExecutable: URL = URL(fileURLWithPath: "/proc/self/exe")) {
        settings = (command, timeout)
        self.logger = logger
        self.guardExecutable = guardExecutable
    }

    /// `[upgrade] tasks_command` and `tasks_timeout` as a reload found them: the next start uses them.
    func update(command: String?, timeout: Duration) { lock.withLock { settings = (command, timeout) } }

    /// Starts the command; `onEnd(failure)` runs once when it ends, unless it was stopped.
    func start(_ assignment: TaskAssignment, onEnd: @escaping @Sendable (String?) -> Void) {
        let (command, timeout) = lock.withLock { settings }
        guard let command, !command.isEmpty else {
            logger.info("no upgrade.tasks_command configured: the upgrade tasks are empty")
            onEnd(nil)
            return
        }
        let process = Process()
        process.executableURL = guardExecutable
        process.arguments = [UpgradeTasksGuard.subcommand, command]
        var environment = ProcessInfo.processInfo.environment
        environment["CHORUS_UPGRADE_FROM"] = assignment.fromVersion
        environment["CHORUS_UPGRADE_TO"] = assignment.toVersion
        environment["CHORUS_UPGRADE_ATTEMPT"] = String(assignment.attempt)
        environment["CHORUS_UPGRADE_TERM"] = String(assignment.term)
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let lifeline = Pipe()
        process.standardInput = lifeline
        let tail = OutputTail(limit: Self.outputTailBytes)
        output.fileHandleForReading.readabilityHandler = { handle in tail.append(handle.availableData) }
        let term = assignment.term
        let timedOut = TimeoutFlag()
        process.terminationHandler = { [weak self] finished in
            output.fileHandleForReading.readabilityHandler = nil
            tail.append(output.fileHandleForReading.readDataToEndOfFile())
            guard let self, self.remove(term) != nil else { return } // stopped: nobody waits for it
            let failure = Self.failure(of: finished, timedOut: timedOut.isSet, timeout: timeout, tail: tail.text)
            self.logger.info("upgrade tasks ended", metadata: [
                "term": "\(term)", "result": "\(failure ?? "success")", "output": "\(tail.text)",
            ])
            onEnd(failure)
        }
        // Registered before it runs: a command that ends at once must find itself running, or
        // its end would be taken for a stop and never reported.
        lock.withLock { running[term] = (process, lifeline) }
        do {
            try process.run()
        } catch {
            _ = remove(term)
            onEnd("cannot start the tasks command: \(error)")
            return
        }
        // The guard makes itself the leader of its own process group, so killing -pid reaches
        // the command and its children.
        logger.info("upgrade tasks started", metadata: [
            "term": "\(term)", "from": "\(assignment.fromVersion)", "to": "\(assignment.toVersion)",
            "attempt": "\(assignment.attempt)", "pid": "\(process.processIdentifier)",
        ])
        Task { [weak self] in
            try? await Task.sleep(for: timeout)
            guard let self, self.isRunning(term) else { return }
            timedOut.set()
            self.kill(term)
        }
    }

    /// The lease is gone: kill the command; its end is not reported.
    func stop(term: UInt32) {
        guard let process = remove(term) else { return }
        logger.warning("upgrade tasks stopped: the lease ended", metadata: ["term": "\(term)"])
        Self.killGroup(of: process)
    }

    private func kill(_ term: UInt32) {
        guard let process = lock.withLock({ running[term]?.process }) else { return }
        Self.killGroup(of: process)
    }

    private func isRunning(_ term: UInt32) -> Bool { lock.withLock { running[term] != nil } }

    /// Forgets the command and closes its lifeline: if the kill that follows misses the group
    /// (the guard not yet its leader), the guard still kills it on reading the end of its stdin.
    private func remove(_ term: UInt32) -> Process? {
        guard let entry = lock.withLock({ running.removeValue(forKey: term) }) else { return nil }
        try? entry.lifeline.fileHandleForWriting.close()
        return entry.process
    }

    private static func killGroup(of process: Process) {
        let pid = process.processIdentifier
        guard pid > 0 else { return }
        _ = Foundation.kill(-pid, SIGKILL)
        _ = Foundation.kill(pid, SIGKILL)
    }

    private static func failure(of process: Process, timedOut: Bool, timeout: Duration, tail: String) -> String? {
        let lastLine = tail.split(separator: "\n").last.map(String.init) ?? ""
        if timedOut { return "timed out after \(timeout): \(lastLine)" }
        if process.terminationReason == .uncaughtSignal { return "killed by signal \(process.terminationStatus): \(lastLine)" }
        return process.terminationStatus == 0 ? nil : "exit \(process.terminationStatus): \(lastLine)"
    }
}

/// The last bytes a command wrote.
private final class OutputTail: @unchecked Sendable {
    private let limit: Int
    private let lock = NSLock()
    private var bytes = Data()

    init(limit: Int) { self.limit = limit }

    func append(_ data: Data) {
        lock.withLock {
            bytes.append(data)
            if bytes.count > limit { bytes = bytes.suffix(limit) }
        }
    }

    var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) } }
}

private final class TimeoutFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
