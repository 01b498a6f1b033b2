import Foundation
import Subprocess
import SystemPackage

/// One run of `/bin/sh -c COMMAND` under `CommandGuard`, so that it dies with this agent. Its
/// whole process group is killed when `timeout` passes or the calling task is cancelled. Used
/// for every command the agent runs for an operator: the upgrade tasks, the application's
/// version and health checks.
struct GuardedCommand: Sendable {
    /// How much of the command's output is kept for a failure reason, the log or a version.
    static let outputTailBytes = 4096

    let command: String
    let timeout: Duration
    /// Added to the agent's own environment.
    var environment: [String: String] = [:]
    /// stderr joins stdout in the kept output; else it is discarded (a version is read from stdout alone).
    var keepsErrors = true
    /// The `chorus` binary that runs the guard: this process's own, unless a test says otherwise.
    var guardExecutable = "/proc/self/exe"

    /// A command an agreed assignment runs (the upgrade tasks, a rollout turn), told in
    /// `CHORUS_<KIND>_FROM`, `_TO`, `_ATTEMPT` and `_TERM` what it is for: the term fences it,
    /// so a script can refuse a stale assignment.
    static func assigned(
        _ command: String, kind: String, from: String, to: String, attempt: some BinaryInteger, term: some BinaryInteger,
        timeout: Duration, guardExecutable: String
    ) -> GuardedCommand {
        GuardedCommand(
            command: command, timeout: timeout,
            environment: [
                "CHORUS_\(kind)_FROM": from, "CHORUS_\(kind)_TO": to,
                "CHORUS_\(kind)_ATTEMPT": String(attempt), "CHORUS_\(kind)_TERM": String(term),
            ],
            guardExecutable: guardExecutable)
    }

    struct Outcome: Sendable {
        let status: TerminationStatus
        /// The last `outputTailBytes` of output, blanks trimmed.
        let output: String
        let timedOut: Bool

        /// nil on exit 0 in time, else why, with the last line of output.
        func failure(timeout: Duration) -> String? {
            let lastLine = output.split(separator: "\n").last.map(String.init) ?? ""
            if timedOut { return "timed out after \(timeout): \(lastLine)" }
            switch status {
            case .exited(0): return nil
            case .exited(let code): return "exit \(code): \(lastLine)"
            case .signaled(let signal): return "killed by signal \(signal): \(lastLine)"
            }
        }
    }

    /// Runs the command to its end; `started` hears its process id. Throws when it cannot start.
    func run(started: @escaping @Sendable (Int32) -> Void = { _ in }) async throws -> Outcome {
        keepsErrors ? try await run(error: .combinedWithOutput, started: started)
            : try await run(error: .discarded, started: started)
    }

    private func run<Errors: ErrorOutputProtocol>(error: Errors, started: @escaping @Sendable (Int32) -> Void) async throws -> Outcome {
        var options = PlatformOptions()
        // Its own process group from the start, so one kill reaches the command's children and
        // nothing of the agent's; the guard also makes itself the leader.
        options.processGroupID = 0
        options.teardownSequence = [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .zero)]
        let timeout = timeout
        // The lifeline is the guard's stdin (`.inputWriter`): never written, it closes when
        // this run ends or the agent dies, and the guard then kills its group.
        let result = try await Subprocess.run(
            .path(FilePath(guardExecutable)), arguments: [CommandGuard.subcommand, command],
            environment: .inherit.updating(Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(rawValue: $0.key)!, $0.value) })), platformOptions: options,
            input: .inputWriter, output: .sequence, error: error
        ) { execution in
            started(execution.processIdentifier.value)
            return try await Self.tail(of: execution, killingAfter: timeout)
        }
        let (output, timedOut) = result.closureResult
        return Outcome(status: result.terminationStatus, output: output, timedOut: timedOut)
    }

    /// Reads the output to its end, keeping the last bytes; past `timeout`, kills the group and
    /// reads what remains.
    private static func tail<Errors: ErrorOutputProtocol>(
        of execution: Execution<CustomWriteInput, SequenceOutput, Errors>, killingAfter timeout: Duration
    ) async throws -> (String, timedOut: Bool) {
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
}
