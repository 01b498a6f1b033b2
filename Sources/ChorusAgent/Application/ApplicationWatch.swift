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
    private var checks: ApplicationChecks
    private let runtime: NodeRuntime
    private let logger: Logger
    private let alarm = WakeAlarm()
    private var versionFailure: ApplicationCheckFailure?
    private var healthFailure: ApplicationCheckFailure?
    private var healthKnown = false

    init(checks: ApplicationChecks, runtime: NodeRuntime, logger: Logger) {
        self.checks = checks
        self.runtime = runtime
        self.logger = logger
    }

    /// Puts reloaded checks in force and runs them now.
    func replace(_ checks: ApplicationChecks) {
        self.checks = checks
        alarm.ring()
    }

    /// Reads the version and checks the health now (a rollout turn waiting for its application).
    func checkNow() { alarm.ring() }

    func run() async {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                let checks = await self.checks
                if !checks.isIdle { await check(checks, client: client) }
                // Idle: nothing to read until a reload brings a check.
                await alarm.sleep(upTo: checks.isIdle ? .seconds(86_400) : checks.interval)
            }
        }
        try? await client.shutdown()
    }

    private func check(_ checks: ApplicationChecks, client: HTTPClient) async {
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
        await runtime.setApplicationFacts(version: version, health: health, failure: failure?.description)
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
