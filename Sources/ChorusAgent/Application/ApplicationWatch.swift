import AsyncHTTPClient
import ChorusCore
import Logging
import ServiceLifecycle

/// Reads the application's version and checks its health every `check_interval` (SPEC §13) and
/// gives both to the node, which puts a change into its next heartbeat: an application upgraded
/// in place is seen without restarting the agent. A reload replaces the checks and runs them at
/// once. A version that cannot be read leaves the last one in force (logged once, until it reads
/// again); a failing check is said in the log when it starts and when it ends.
actor ApplicationWatch: Service {
    /// Where each check's result goes: the node (`NodeRuntime.setApplicationFacts`).
    typealias Report = @Sendable (_ version: String?, _ health: ApplicationHealth, _ failure: String?) async -> Void

    private var checks: ApplicationChecks
    private let report: Report
    private let logger: Logger
    private let alarm = WakeAlarm()
    private var versionFailure: ApplicationCheckFailure?
    private var healthFailure: ApplicationCheckFailure?
    private var healthKnown = false
    /// Checks begun and ended since the start; `checkNow` waits for one begun after its call.
    private var checksBegun = 0
    private var checksEnded = 0
    private var waiting: [(after: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private var stopped = false

    init(checks: ApplicationChecks, logger: Logger, report: @escaping Report) {
        self.checks = checks
        self.report = report
        self.logger = logger
    }

    /// Puts reloaded checks in force and runs them now.
    func replace(_ checks: ApplicationChecks) {
        self.checks = checks
        alarm.ring()
    }

    /// Reads the version and checks the health now, and returns once the node has the result:
    /// a rollout turn deciding whether its application already runs the target must not read
    /// what was known before (an agent restarted mid-turn has no health yet, and would upgrade
    /// an application that was already upgraded). Returns at once when nothing is checked.
    func checkNow() async {
        guard !checks.isIdle, !stopped else { return }
        let after = checksBegun
        alarm.ring()
        await withCheckedContinuation { waiting.append((after, $0)) }
    }

    /// Frees the `checkNow` callers whose check has ended (all of them when the watch stops).
    private func release(all: Bool = false) {
        let ready = waiting.filter { all || checksEnded > $0.after }
        waiting.removeAll { all || checksEnded > $0.after }
        for waiter in ready { waiter.continuation.resume() }
    }

    func run() async {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                let checks = await self.checks
                if !checks.isIdle { await check(checks, client: client) }
                await release(all: checks.isIdle)
                // Idle: nothing to read until a reload brings a check.
                await alarm.sleep(upTo: checks.isIdle ? .seconds(86_400) : checks.interval)
            }
        }
        stopped = true
        release(all: true)
        try? await client.shutdown()
    }

    private func check(_ checks: ApplicationChecks, client: HTTPClient) async {
        checksBegun += 1
        defer { checksEnded = checksBegun }
        let version: String?
        do {
            version = try await ApplicationVersion.read(checks.version, timeout: checks.timeout)
            if versionFailure != nil { logger.notice("application version read again", metadata: ["version": "\(version ?? "")"]) }
            versionFailure = nil
        } catch {
            if versionFailure == nil {
                logger.warning("cannot read the application's version; the last one stays", metadata: ["reason": "\(error)"])
            }
            versionFailure = error
            version = nil
        }
        let failure = await ApplicationHealthCheck.run(checks.health, timeout: checks.timeout, client: client)
        noteHealth(failure, checked: checks.health != .none)
        let health: ApplicationHealth = checks.health == .none ? .unknown : failure == nil ? .healthy : .unhealthy
        await report(version, health, failure?.description)
    }

    /// Said when the application turns healthy or unhealthy, not at every failing check.
    private func noteHealth(_ failure: ApplicationCheckFailure?, checked: Bool) {
        defer {
            healthFailure = failure
            healthKnown = checked
        }
        guard checked, !healthKnown || (failure == nil) != (healthFailure == nil) else { return }
        if let failure {
            logger.warning("application unhealthy", metadata: ["reason": "\(failure)"])
        } else {
            logger.notice("application healthy")
        }
    }
}
