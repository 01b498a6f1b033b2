import ChorusCore
import Foundation
import Logging
import Subprocess
import SystemPackage

/// Runs `upgrade.tasks_command` for a lease (SPEC §4): `/bin/sh -c COMMAND` with
/// `CHORUS_UPGRADE_FROM`, `CHORUS_UPGRADE_TO`, `CHORUS_UPGRADE_ATTEMPT` and `CHORUS_UPGRADE_TERM`
/// (the lease's fencing term), under `UpgradeTasksGuard` so that it dies with this agent. Its
/// whole process group is killed when the timeout passes or the calling task is cancelled (the
/// lease was lost, the agent stops).
struct UpgradeTasksCommand: Sendable {
    /// How much of the command's output is kept for the failure reason and the log.
    static let outputTailBytes = 4096

    let command: String?
    let timeout: Duration
    /// The `chorus` binary that runs the guard: this process's own, unless a test says otherwise.
    var guardExecutable = "/proc/self/exe"

    /// Runs the command to its end: nil on exit 0, else the reason with the last line of output.
    func run(_ assignment: TaskAssignment, logger: Logger) async -> String? {
        guard let command, !command.isEmpty else {
            logger.info("no upgrade.tasks_command configured: the upgrade tasks are empty")
            return nil
        }
        var options = PlatformOptions()
        // Its own process group from the start, so one kill reaches the command's children and
        // nothing of the agent's; the guard also makes itself the leader.
        options.processGroupID = 0
        options.teardownSequence = [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .zero)]
        let environment: [Environment.Key: String?] = [
            "CHORUS_UPGRADE_FROM": assignment.fromVersion, "CHORUS_UPGRADE_TO": assignment.toVersion,
            "CHORUS_UPGRADE_ATTEMPT": String(assignment.attempt), "CHORUS_UPGRADE_TERM": String(assignment.term),
        ]
        do {
            // The lifeline is the guard's stdin (`.inputWriter`): never written, it closes when
            // this run ends or the agent dies, and the guard then kills its group.
            let result = try await Subprocess.run(
                .path(FilePath(guardExecutable)), arguments: [UpgradeTasksGuard.subcommand, command],
                environment: .inherit.updating(environment), platformOptions: options,
                input: .inputWriter, output: .sequence, error: .combinedWithOutput
            ) { execution in
                logger.info("upgrade tasks started", metadata: [
                    "term": "\(assignment.term)", "from": "\(assignment.fromVersion)", "to": "\(assignment.toVersion)",
                    "attempt": "\(assignment.attempt)", "pid": "\(execution.processIdentifier.value)",
                ])
                return try await Self.tail(of: execution, killingAfter: timeout)
            }
            let (tail, timedOut) = result.closureResult
            let failure = Self.failure(result.terminationStatus, timedOut: timedOut, timeout: timeout, tail: tail)
            logger.info("upgrade tasks ended", metadata: [
                "term": "\(assignment.term)", "result": "\(failure ?? "success")", "output": "\(tail)",
            ])
            return failure
        } catch {
            return "cannot start the tasks command: \(error)"
        }
    }

    /// Reads the output to its end, keeping the last bytes; past `timeout`, kills the group and
    /// reads what remains.
    private static func tail(of execution: Execution<CustomWriteInput, SequenceOutput, CombinedErrorOutput>,
                             killingAfter timeout: Duration) async throws -> (String, timedOut: Bool) {
        try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                var kept: [UInt8] = []
                for try await buffer in execution.standardOutput {
                    buffer.withUnsafeBytes { kept.append(contentsOf: $0) }
                    if kept.count > outputTailBytes { kept.removeFirst(kept.count - outputTailBytes) }
                }
                return kept
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            var timedOut = false
            while let next = try await group.next() {
                guard let kept = next else {
                    timedOut = true
                    try? execution.send(signal: .kill, toProcessGroup: true)
                    continue
                }
                group.cancelAll()
                return (String(decoding: kept, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), timedOut)
            }
            return ("", timedOut)
        }
    }

    private static func failure(_ status: TerminationStatus, timedOut: Bool, timeout: Duration, tail: String) -> String? {
        let lastLine = tail.split(separator: "\n").last.map(String.init) ?? ""
        if timedOut { return "timed out after \(timeout): \(lastLine)" }
        switch status {
        case .exited(0): return nil
        case .exited(let code): return "exit \(code): \(lastLine)"
        case .signaled(let signal): return "killed by signal \(signal): \(lastLine)"
        }
    }
}
