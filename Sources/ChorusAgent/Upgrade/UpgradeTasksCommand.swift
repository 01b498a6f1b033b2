import ChorusCore
import Logging

/// Runs `upgrade.tasks_command` for a lease (SPEC §4) as a `GuardedCommand`, with
/// `CHORUS_UPGRADE_FROM`, `CHORUS_UPGRADE_TO`, `CHORUS_UPGRADE_ATTEMPT` and `CHORUS_UPGRADE_TERM`
/// (the lease's fencing term). Its whole process group is killed when the timeout passes or the
/// calling task is cancelled (the lease was lost, the agent stops).
struct UpgradeTasksCommand: Sendable {
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
        let guarded = GuardedCommand.assigned(
            command, kind: "UPGRADE", from: assignment.fromVersion, to: assignment.toVersion, attempt: assignment.attempt,
            term: assignment.term, timeout: timeout, guardExecutable: guardExecutable)
        do {
            let outcome = try await guarded.run { pid in
                logger.info("upgrade tasks started", metadata: [
                    "term": "\(assignment.term)", "from": "\(assignment.fromVersion)", "to": "\(assignment.toVersion)",
                    "attempt": "\(assignment.attempt)", "pid": "\(pid)",
                ])
            }
            let failure = outcome.failure(timeout: timeout)
            logger.info("upgrade tasks ended", metadata: [
                "term": "\(assignment.term)", "result": "\(failure ?? "success")", "output": "\(outcome.output)",
            ])
            return failure
        } catch {
            return "cannot start the tasks command: \(error)"
        }
    }
}
