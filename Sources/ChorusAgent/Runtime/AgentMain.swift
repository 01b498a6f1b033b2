import ChorusCore
import ChorusCrypto
import ChorusWire
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// Starts the agent: identity and trust from the data directory, the gossip socket, the local
/// endpoint; runs until SIGTERM or SIGINT, then leaves gracefully. SIGHUP reloads: `reread`
/// loads the configuration again as at start (file, environment, the same flags).
public enum AgentMain {
    public static func run(configuration: AgentConfiguration,
                           reread: (@Sendable () throws -> AgentConfiguration)? = nil) async throws {
        let logger = Logger(label: "chorus.agent")
        // A pipe whose reader is gone (a hook or tasks command that exited) is an error to
        // handle where it is written, not a signal that ends the agent.
        signal(SIGPIPE, SIG_IGN)
        // First, before the data directory, sockets and endpoint take descriptors (DescriptorLimit says why).
        try DescriptorLimit.ensure()
        let dataDirectory = DataDirectory(path: configuration.dataDir)
        try dataDirectory.prepare()
        let nodeKey = try dataDirectory.loadOrCreateNodeKey()
        let adminToken = try dataDirectory.loadOrCreateAdminToken()
        let clock = MonotonicClock()
        let trust = try NodeTrust.load(configuration: configuration, nodeKey: nodeKey, unixSeconds: clock.unixSeconds())

        let (bind, http) = (configuration.bind, configuration.http)
        let seeds = try configuration.join.map { try $0.resolvePeer() }
        // Everything read from disk before the socket is bound: a damaged file then stops the
        // agent with the file's name, not with an open channel torn down mid-start.
        let restoredIncarnation = try dataDirectory.loadIncarnation()
        var decisionStore = DecisionStore(directory: dataDirectory)
        let restoredDecisions = try decisionStore.load()
        let startsDraining = try dataDirectory.loadDraining()
        let restoredVoterNames = try dataDirectory.loadVoterNames()
        let gossipKeys = try configuration.gossipKeyringFile.map(GossipKeyringFile.load)
        let applicationChecks = ApplicationChecks(configuration)
        let appVersion: String
        do {
            appVersion = try await ApplicationVersion.read(applicationChecks.version, timeout: applicationChecks.timeout)
        } catch {
            throw AgentStartupError.noApplicationVersion(error.description)
        }
        let hooks = EventHooks(configuration.eventHooks, coalescePeriod: configuration.eventsCoalescePeriod)

        let channel = try await GossipService.bind(bind, group: MultiThreadedEventLoopGroup.singleton)
        let advertise: PeerAddress
        do {
            advertise = try advertiseAddress(configuration: configuration, bound: channel.channel.localAddress)
        } catch {
            // Closed the way an async channel must be, or dropping it traps ("Illegal instruction"
            // in place of the reason, e.g. an --advertise that does not resolve).
            try? await channel.executeThenClose { _, _ in }
            throw error
        }
        let settings = MembershipSettings.preset(configuration.preset)

        var membershipConfiguration = MembershipConfiguration(
            signer: nodeKey, certificate: trust.certificate, authorityKey: trust.authorityKey, scheme: Ed25519Scheme(),
            nonces: ShortHashNonces(), settings: settings, advertiseAddress: advertise, appVersion: appVersion, seeds: seeds,
            restoredIncarnation: restoredIncarnation, randomSeed: UInt64.random(in: .min ... .max))
        membershipConfiguration.restoredDecisions = restoredDecisions
        membershipConfiguration.restoredVoterNames = restoredVoterNames
        membershipConfiguration.foundsCluster = configuration.foundsCluster
        // A founder with seeds first listens for a cluster that already exists (its data
        // directory may be new, the cluster not): it founds only if no peer has decided anything.
        if !seeds.isEmpty { membershipConfiguration.foundingDelay = settings.joinRetryInitial * 6 }
        membershipConfiguration.startsDraining = startsDraining
        membershipConfiguration.appHealth = applicationChecks.healthBeforeFirstCheck
        membershipConfiguration.decisionSettings = DecisionSettings(preset: configuration.preset)
        membershipConfiguration.decisionSettings.autoApprove = configuration.upgradeAutoApprove
        if let gossipKeys {
            membershipConfiguration.gossipKeys = gossipKeys
            membershipConfiguration.cipher = SodiumGossipCipher(nodeKey: nodeKey)
        }
        let journal = EventJournal(node: configuration.name, firstID: EventJournal.firstID(bootedAt: clock.unixSeconds()))
        let core = MembershipNode(configuration: membershipConfiguration, now: clock.now(), unixSeconds: clock.unixSeconds())
        let children = ChildTasks()
        let runtime = NodeRuntime(core: core, clock: clock, persistIncarnation: { try dataDirectory.storeIncarnation($0) },
                                  persistDraining: { try dataDirectory.storeDraining($0) },
                                  persistVoterNames: { try dataDirectory.storeVoterNames($0) },
                                  decisionStore: decisionStore, journal: journal,
                                  tasksCommand: UpgradeTasksCommand(command: configuration.upgradeTasksCommand,
                                                                    timeout: configuration.upgradeTasksTimeout),
                                  rolloutSettings: RolloutSettings(configuration), children: children, logger: logger)
        let applicationWatch = ApplicationWatch(checks: applicationChecks, logger: logger) { version, health, failure in
            await runtime.setApplicationFacts(version: version, health: health, failure: failure)
        }
        await runtime.attachApplicationCheck { await applicationWatch.checkNow() }
        let reloader = AgentReloader(running: configuration, reread: reread ?? { configuration }, nodeKey: nodeKey,
                                     authorityKey: trust.authorityKey, runtime: runtime, applicationWatch: applicationWatch,
                                     clock: clock, logger: logger)
        await runtime.attachReloader(reloader)
        logger.info("starting", metadata: [
            "name": "\(configuration.name)", "id": "\(core.id.short)", "gossip": "\(advertise)", "http": "\(http)",
            "version": "\(appVersion)", "preset": "\(configuration.preset.rawValue)",
            "gossip-sealed": "\(core.sealingKeyring.primary.map { "key \($0.id)" } ?? "no")",
        ])

        let gossip = GossipService(
            firstChannel: channel, bindAddress: bind, runtime: runtime,
            leaveGrace: settings.leaveGrace, logger: logger)
        let endpoint = makeHTTPService(host: http.host, port: http.port, allowedHosts: configuration.endpointAllowedHosts,
                                       source: runtime, metrics: MetricsExporter(),
                                       adminToken: adminToken, authorityKey: trust.authorityKey, journal: journal, logger: logger)
        children.spawn { await hooks.run(journal: journal, logger: logger) }
        let group = ServiceGroup(configuration: .init(
            // Shut down last to first: the journal closes its streams before the endpoint drains.
            // The child tasks (tasks command, hooks) stop last, so the leave's events still reach hooks.
            services: [.init(service: children), .init(service: applicationWatch), .init(service: gossip), .init(service: endpoint),
                       .init(service: ReloadOnHangup(reloader: reloader)), .init(service: ShutdownAction { journal.close() })],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        await runtime.attachShutdown { await group.triggerGracefulShutdown() }
        try await group.run()
    }

    /// The address others should use: --advertise, else the bound address, else (bound to a
    /// wildcard) the first non-loopback IPv4 interface.
    private static func advertiseAddress(configuration: AgentConfiguration, bound: SocketAddress?) throws -> PeerAddress {
        if let advertise = configuration.advertise {
            do {
                return try advertise.resolvePeer()
            } catch {
                throw AgentStartupError.unresolvable("--advertise \(advertise)")
            }
        }
        guard let bound, let peer = PeerAddress(bound) else { throw AgentStartupError.noAdvertiseAddress }
        guard peer.ip.allSatisfy({ $0 == 0 }) else { return peer }
        let interface = try System.enumerateDevices().first { device in
            guard let address = device.address, case .v4 = address, let candidate = PeerAddress(address) else { return false }
            return candidate.ip[0] != 127
        }
        guard let address = interface?.address, let ip = PeerAddress(address) else { throw AgentStartupError.noAdvertiseAddress }
        return PeerAddress(ip: ip.ip, port: peer.port)!
    }
}
