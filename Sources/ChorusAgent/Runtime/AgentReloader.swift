import ChorusCore
import ChorusCrypto
import Logging

/// `chorus reload`, `POST /v1/reload` and SIGHUP (SPEC §2, Certificate lifecycle): reads the
/// configuration (file, environment, the flags the agent started with) and the certificate
/// again, and puts into force what can change while the agent runs, without a restart.
///
/// Live: the certificate (a renewal of this node's key, `MembershipNode.replaceCertificate`),
/// and the settings `AgentSettings.all` marks `reloadsLive`, `[upgrade] tasks_command` and
/// `tasks_timeout` among them (the next tasks run uses them), and the `[app]` checks (run at once). Every other setting is read but
/// stays as the agent started; the answer names those that differ, so the
/// operator knows a restart is still owed. All or nothing: a configuration that does not load,
/// a certificate that is not a renewal of this node's, or another authority key is refused with
/// the reason, and nothing changes. Calls are serialized (an actor).
public actor AgentReloader {
    /// The configuration in force: what the agent started with, plus what reloads applied.
    private var running: AgentConfiguration
    private let reread: @Sendable () throws -> AgentConfiguration
    private let nodeKey: Ed25519KeyPair
    private let authorityKey: [UInt8]
    private let runtime: NodeRuntime
    private let applicationWatch: ApplicationWatch
    private let clock: MonotonicClock
    private let logger: Logger

    init(running: AgentConfiguration, reread: @escaping @Sendable () throws -> AgentConfiguration, nodeKey: Ed25519KeyPair,
         authorityKey: [UInt8], runtime: NodeRuntime, applicationWatch: ApplicationWatch, clock: MonotonicClock, logger: Logger) {
        self.running = running
        self.reread = reread
        self.nodeKey = nodeKey
        self.authorityKey = authorityKey
        self.runtime = runtime
        self.applicationWatch = applicationWatch
        self.clock = clock
        self.logger = logger
    }

    /// Reloads; logs what it did or why it refused, whoever asked (HTTP or SIGHUP).
    public func reload(by caller: String) async throws(ReloadRefusal) -> ReloadResponse {
        do {
            let answer = try await apply()
            logger.notice("reloaded", metadata: [
                "by": "\(caller)", "certificate": "\(answer.certificateRenewed ? "renewed" : "unchanged")",
                "certificate-expires": "\(answer.certificateExpiresAt)", "applied": "\(answer.applied.joined(separator: ","))",
                "needs-restart": "\(answer.needsRestart.joined(separator: ","))",
            ])
            return answer
        } catch {
            logger.error("reload refused; nothing changed", metadata: ["by": "\(caller)", "reason": "\(error.reason)"])
            throw error
        }
    }

    private func apply() async throws(ReloadRefusal) -> ReloadResponse {
        let next: AgentConfiguration
        do {
            next = try reread()
        } catch {
            throw ReloadRefusal("the configuration does not load: \(error)")
        }
        // The certificate must name the node as it runs: a new name is one of the restart settings.
        var trustSettings = next
        trustSettings.name = running.name
        let trust: NodeTrust
        do {
            trust = try NodeTrust.load(configuration: trustSettings, nodeKey: nodeKey, unixSeconds: clock.unixSeconds())
        } catch {
            throw ReloadRefusal("the certificate is not usable: \(error)")
        }
        guard trust.authorityKey == authorityKey else {
            throw ReloadRefusal("the authority key is not the one this agent started with; another authority needs a restart")
        }
        var renewed = false
        switch await runtime.replaceCertificate(trust.certificate) {
        case .replaced: renewed = true
        case .unchanged: break
        case .refused(let reason): throw ReloadRefusal("the certificate is not a renewal of this node's: \(reason)")
        }
        let changed = AgentSettings.all.filter { $0.differs(next, running) }
        for setting in changed where setting.reloadsLive { setting.copy(next, &running) }
        await runtime.updateTasksCommand(UpgradeTasksCommand(command: running.upgradeTasksCommand,
                                                             timeout: running.upgradeTasksTimeout))
        await applicationWatch.replace(ApplicationChecks(running))
        await runtime.updateRolloutSettings(RolloutSettings(running))
        let local = await runtime.localMember()
        return ReloadResponse(
            node: local.name, certificateRenewed: renewed,
            certificateExpiresAt: CertificateExpiry.iso8601(local.certificateExpiresAt),
            applied: changed.filter(\.reloadsLive).map(\.key), needsRestart: changed.filter { !$0.reloadsLive }.map(\.key))
    }
}

/// Why a reload changed nothing.
public struct ReloadRefusal: Error, CustomStringConvertible {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// The answer to `POST /v1/reload`: what is in force now.
public struct ReloadResponse: Codable, Sendable, Equatable {
    public var node: String
    /// Whether the certificate file held a renewal that this node now sends.
    public var certificateRenewed: Bool
    /// When the certificate in use expires (ISO 8601).
    public var certificateExpiresAt: String
    /// File keys of settings whose new values are in force now.
    public var applied: [String]
    /// File keys of settings that changed but take effect only at the next start.
    public var needsRestart: [String]

    public init(node: String, certificateRenewed: Bool, certificateExpiresAt: String, applied: [String], needsRestart: [String]) {
        self.node = node
        self.certificateRenewed = certificateRenewed
        self.certificateExpiresAt = certificateExpiresAt
        self.applied = applied
        self.needsRestart = needsRestart
    }
}
