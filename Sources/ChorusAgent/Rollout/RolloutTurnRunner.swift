import ChorusCore
import Foundation
import Logging

/// Runs this node's rollout turn (SPEC §13) once the log has granted it: drain, wait
/// `drain_seconds` for the balancers, run `[rollout] node_command`, wait until the application
/// runs the target version and stays healthy for `healthy_seconds`, undrain. A command that
/// fails, or an application not healthy on the target within `healthy_deadline` of the command's
/// start, runs `rollback_command` (if any), undrains and ends the turn as failed: the rollout
/// halts and nothing else is taken out. The drain is durable, so a node killed mid-turn comes
/// back drained; the log still gives it the turn, which runs again (an application already on
/// the target and healthy ends it at once).
struct RolloutTurnRunner: Sendable {
    /// How often the application is asked while its health is awaited.
    static let pollInterval = Duration.milliseconds(200)

    let settings: RolloutSettings
    let runtime: NodeRuntime
    /// Asks the application watch to read the version and check the health now.
    let checkApplication: @Sendable () async -> Void
    let logger: Logger
    var guardExecutable = "/proc/self/exe"

    /// Runs the turn to its end: nil when done, else why it failed.
    func run(_ turn: RolloutTurn) async -> String? {
        let metadata: Logger.Metadata = ["term": "\(turn.term)", "to": "\(turn.toVersion)", "attempt": "\(turn.attempt)"]
        await checkApplication()
        if await isHealthy(on: turn.toVersion) {
            logger.info("rollout turn: the application already runs the target", metadata: metadata)
            return await undrain()
        }
        guard let command = settings.nodeCommand else {
            return "no [rollout] node_command is configured on this node"
        }
        logger.info("rollout turn started: draining", metadata: metadata)
        do {
            guard try await runtime.drain(forTurn: turn.term) else { return nil } // the slot was taken back
        } catch {
            return "cannot store the drain: \(error)"
        }
        do {
            try await Task.sleep(for: settings.drain)
        } catch {
            return nil // stopped: the agent is stopping or the slot was released
        }
        let started = ContinuousClock.now
        if let failure = await runCommand(command, for: turn, within: settings.deadline) {
            return await giveUp(turn, because: "node command \(failure)")
        }
        let deadline = started + settings.deadline
        var healthySince: ContinuousClock.Instant?
        while true {
            await checkApplication()
            let now = ContinuousClock.now
            if await isHealthy(on: turn.toVersion) {
                let since = healthySince ?? now
                healthySince = since
                if now - since >= settings.healthy { break }
            } else {
                healthySince = nil
            }
            guard now < deadline else {
                let local = await runtime.localMember()
                return await giveUp(turn, because: "the application was not healthy on \(turn.toVersion) for \(settings.healthy) "
                    + "within \(settings.deadline) (it runs \(local.version), \(local.health.rawValue))")
            }
            do {
                try await Task.sleep(for: Self.pollInterval)
            } catch {
                return nil
            }
        }
        logger.info("rollout turn done: undraining", metadata: metadata)
        return await undrain()
    }

    private func isHealthy(on version: String) async -> Bool {
        let local = await runtime.localMember()
        return local.version == version && local.health != .unhealthy
    }

    private func runCommand(_ command: String, for turn: RolloutTurn, within timeout: Duration) async -> String? {
        let guarded = GuardedCommand.assigned(
            command, kind: "ROLLOUT", from: turn.fromVersion, to: turn.toVersion, attempt: turn.attempt, term: turn.term,
            timeout: timeout, guardExecutable: guardExecutable)
        let started = ContinuousClock.now
        do {
            let outcome = try await guarded.run()
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            logger.info("rollout command ended", metadata: [
                "command": "\(command)", "seconds": "\(String(format: "%.3f", seconds))", "output": "\(outcome.output)",
            ])
            return outcome.failure(timeout: timeout)
        } catch {
            return "cannot start: \(error)"
        }
    }

    /// The rollback, if configured, then the undrain; the failure the turn ends with.
    private func giveUp(_ turn: RolloutTurn, because reason: String) async -> String {
        logger.error("rollout turn failed", metadata: ["term": "\(turn.term)", "reason": "\(reason)"])
        if let rollback = settings.rollbackCommand {
            let failure = await runCommand(rollback, for: turn, within: settings.deadline)
            logger.notice("rollback ended", metadata: ["result": "\(failure ?? "success")"])
        }
        let undrained = await undrain()
        return undrained.map { "\(reason); \($0)" } ?? reason
    }

    /// nil once the node serves again, else why it could not be undrained.
    private func undrain() async -> String? {
        do {
            _ = try await runtime.setDraining(false)
            return nil
        } catch {
            return "cannot store the undrain: \(error)"
        }
    }
}
