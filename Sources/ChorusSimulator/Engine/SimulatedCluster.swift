import ChorusCore
import ChorusCrypto
import ChorusWire

/// N membership cores in one process on a virtual clock and a seeded network. Crashes lose
/// everything but what a host persisted; pauses freeze a host with its socket buffer filling;
/// every host reads its own drifting clock. The same seed replays the same run, bit for bit.
public struct SimulatedCluster: Sendable {
    public internal(set) var now: Instant = .zero
    /// Inputs handled so far; every failure message cites it with the seed.
    public internal(set) var step: UInt64 = 0
    public let seed: UInt64
    public let settings: MembershipSettings
    public let identities: IdentityFactory
    public var network: SimulatedNetwork
    let scheme: any SignatureScheme
    var hosts: [SimulatedHost] = []
    var indexByAddress: [PeerAddress: Int] = [:]
    var indexByID: [NodeID: Int] = [:]
    var queue = EventQueue<Scheduled>()
    var random: SeededRandom
    /// Every sudden death, in order: the completeness checks start from these.
    public private(set) var crashes: [(node: Int, at: Instant)] = []
    var pausedHosts: Set<Int> = []
    /// Everything every host ever sent, lost or not (hosts that crashed included).
    public internal(set) var datagramsSent: UInt64 = 0
    public internal(set) var bytesSent: UInt64 = 0
    /// When set (`startTrafficBreakdown`), every sent datagram is also counted by record kind.
    public internal(set) var traffic: TrafficBreakdown?
    /// How long a run of the upgrade-tasks command takes, in virtual time.
    public var taskDuration: Duration = .seconds(3)
    /// The next this many runs of the tasks end in failure (then they succeed again).
    public var failingTaskRuns = 0
    /// Every start and end of an upgrade-tasks run, on every host, in order.
    public internal(set) var taskLog: [TaskLogEntry] = []
    /// Every operator command given, in order; `requestID` is the index plus one.
    public internal(set) var commands: [CommandRecord] = []
    var taskRuns = 0
    /// How long a host's rollout turn takes (drain, node command, health wait), in virtual time.
    public var rolloutTurnDuration: Duration = .seconds(2)
    /// The next this many rollout turns fail (their node command exits non-zero).
    public var failingRolloutTurns = 0
    var rolloutTurnRuns = 0
    /// The attacker's view of the network; nil until a hostile fault needs it (`startTap`).
    var tap: NetworkTap?
    /// The host that founds the decision log when it boots with none (nil: nobody does).
    var founder: Int? = 0
    /// Every host's configured gossip keys (`[gossip] keyring_file`); empty: gossip in the clear.
    let gossipKeys: [GossipKey]
    private let unixEpoch: UInt64 = 1_800_000_000
    /// Hosts that every new host lists as seeds (the first three, as an operator would).
    static let seedCount = 3

    enum Scheduled: Sendable {
        case delivery(bytes: [UInt8], from: Int?, to: Int)
        /// Hostile bytes aimed at the process that was running on `to` in its `boot`th life.
        case hostileDelivery(bytes: [UInt8], to: Int, boot: Int, input: HostileInput)
        case timer(node: Int, generation: UInt64)
        case resume(node: Int)
        /// One stall of a starved host (`starve`).
        case stall(node: Int, until: Instant, stall: Duration, period: Duration)
        case exit(node: Int)
        case tasksEnd(node: Int, serial: Int)
        case rolloutTurnEnd(node: Int, serial: Int)
    }

    /// `verifier` replaces the cores' signature checks (e.g. a deliberately broken one, to show
    /// the integrity check catches it); by default they verify with the signatures' own scheme.
    /// `tapped`: an attacker watches the network from the first datagram on (`NetworkTap`), so
    /// hostile faults can replay what it captured (join requests are sent only at boot).
    public init(size: Int, seed: UInt64, settings: MembershipSettings = .lan,
                signatures: IdentityFactory.Signatures = .ed25519, verifier: (any SignatureScheme)? = nil,
                tapped: Bool = false, gossipKeys: [GossipKey] = []) {
        self.seed = seed
        self.gossipKeys = gossipKeys
        self.settings = settings
        identities = IdentityFactory(signatures: signatures, seed: seed)
        scheme = verifier ?? identities.scheme
        network = SimulatedNetwork(seed: seed)
        random = SeededRandom(seed: seed ^ 0x636C_7573_7465_7221)
        if tapped { tap = NetworkTap(clusterID: Array(identities.authorityKey.prefix(8)), maxSize: settings.maxDatagramSize) }
        var observer = NoObserver()
        addNodes(size, observer: &observer)
    }

    public var size: Int { hosts.count }

    /// Starts counting sent bytes by record kind, from zero.
    public mutating func startTrafficBreakdown() {
        traffic = TrafficBreakdown(clusterID: Array(identities.authorityKey.prefix(8)))
    }
    public func name(of index: Int) -> String { hosts[index].name }
    public func nodeID(of index: Int) -> NodeID { hosts[index].id }
    /// What the host has written durably of the decision log (survives its crashes).
    public func decisionLog(of index: Int) -> [DecidedSlot] { hosts[index].durable.decisions.log }
    public func index(of id: NodeID) -> Int? { indexByID[id] }

    /// Up: running, paused or leaving (the process exists).
    public func isRunning(_ index: Int) -> Bool { hosts[index].isUp }
    public func isPaused(_ index: Int) -> Bool { hosts[index].isPaused }
    public func core(of index: Int) -> MembershipNode? { hosts[index].core }
    /// When the host's next timer fires, in simulated time (nil: none queued).
    public func nextTimer(of index: Int) -> Instant? { hosts[index].timerAt }
    public func lastDisruption(of index: Int) -> Instant? { hosts[index].disruptedAt }
    public func hasLeft(_ index: Int) -> Bool { hosts[index].hasLeft }
    public func lastBoot(of index: Int) -> Instant { hosts[index].bootedAt }
    public var hasPausedHosts: Bool { !pausedHosts.isEmpty }
    public func appVersion(of index: Int) -> String { hosts[index].appVersion }
    /// The incarnation the host last persisted: its current (or last) life's.
    public func incarnation(of index: Int) -> UInt64 { hosts[index].durable.incarnation }
    /// The upgrade state the host's core derives now (nil: the host is down).
    public func upgradeState(of index: Int) -> UpgradeState? { hosts[index].core?.upgradeStatus.state }
    /// The host's agreed state: what its decision log says (nil: the host is down).
    public func agreedState(of index: Int) -> AgreedState? { hosts[index].core?.decisions.agreed }

    /// The hosts whose upgrade-tasks command is running now (frozen ones included).
    public var taskRunners: [Int] { hosts.indices.filter { hosts[$0].taskRun != nil } }

    /// "N decisions, STATE, cluster version V" for a running host, to compare hosts.
    func decisionSummary(of index: Int) -> String? {
        guard let core = hosts[index].core else { return nil }
        return "\(core.decisions.nextSlot) decisions, \(core.upgradeStatus.state.rawValue), "
            + "cluster version \(core.decisions.agreed.clusterVersion)"
    }

    /// What `observer` believes about `subject` (nil: unknown to it, or the observer is down).
    public func status(of subject: Int, seenBy observer: Int) -> MemberStatus? {
        view(of: subject, seenBy: observer)?.status
    }

    public func view(of subject: Int, seenBy observer: Int) -> MemberSnapshot? {
        guard let core = hosts[observer].core else { return nil }
        if subject == observer { return core.localMember }
        return core.snapshot(of: nodeID(of: subject))
    }

    // MARK: Faults and operator actions

    /// Starts `count` new hosts; each joins through the first hosts of the cluster.
    public mutating func addNodes<Observer: SimulationObserver>(_ count: Int, observer: inout Observer) {
        for _ in 0..<count { boot(addHost(), observer: &observer) }
    }

    /// A new host, down, with its identity, address and clock.
    mutating func addHost() -> Int {
        let index = hosts.count
        let identity = identities.identity(index)
        let address = PeerAddress(ipv4: 10, UInt8(index >> 16 & 0xFF), UInt8(index >> 8 & 0xFF), UInt8(index & 0xFF),
                                  port: 7720)
        // Monotonic clocks of different hosts share no epoch.
        let origin = Int64(random.next(upperBound: UInt64(1) << 40))
        let host = SimulatedHost(identity: identity, address: address, clock: LocalClock(origin: origin),
                                 appVersion: "1.0.0")
        hosts.append(host)
        indexByAddress[address] = index
        indexByID[host.id] = index
        return index
    }

    /// Sudden death (kill -9, power loss): the process and everything in memory is gone.
    public mutating func crash(_ index: Int) {
        guard hosts[index].isUp else { return }
        if !hosts[index].hasLeft { crashes.append((index, now)) }
        stop(index)
    }

    /// The process is gone: by a crash, or by exiting after a leave.
    mutating func stop(_ index: Int) {
        hosts[index].disruptedAt = now
        hosts[index].process = .down
        pausedHosts.remove(index)
        hosts[index].socketBuffer.removeAll()
        // Its memory is gone, and with it any way to recognise a replay of what it handled.
        hosts[index].lastReceived = nil
        tap?.forget(host: index)
        hosts[index].timerAt = nil
        if let run = hosts[index].taskRun {
            hosts[index].taskRun = nil
            taskLog.append(TaskLogEntry(at: now, node: index, term: run.term, kind: .killed))
        }
        hosts[index].rolloutTurn = nil
    }

    /// Boots a stopped host again from its durable state, optionally on another version.
    public mutating func restart<Observer: SimulationObserver>(_ index: Int, appVersion: String? = nil,
                                                               observer: inout Observer) {
        precondition(!hosts[index].isUp, "seed \(seed) step \(step): node \(index) is running")
        if let appVersion { hosts[index].appVersion = appVersion }
        boot(index, observer: &observer)
    }

    /// The host's decision timing from its next boot on: agents are configured one by one, and a
    /// new version may ship other defaults.
    public mutating func configure(_ index: Int, decisions: DecisionSettings) {
        hosts[index].decisionSettings = decisions
    }

    /// SIGSTOP now, SIGCONT after `duration`.
    public mutating func pause(_ index: Int, for duration: Duration) {
        guard case .running(let core) = hosts[index].process else { return }
        let until = now + duration
        hosts[index].disruptedAt = now
        hosts[index].process = .paused(core, until: until)
        pausedHosts.insert(index)
        queue.push(.resume(node: index), at: until)
    }

    /// The host's clock runs `ppm` parts per million fast (negative: slow) from now on.
    public mutating func setDrift(_ index: Int, ppm: Int64) {
        // Keep the reading continuous across the change of rate.
        let reading = hosts[index].clock.local(at: now)
        var clock = LocalClock(origin: 0, driftPPM: ppm)
        clock.origin = reading.nanoseconds - clock.local(at: now).nanoseconds
        hosts[index].clock = clock
        rescheduleTimer(index)
    }

    /// The host's wall clock reads `skew` ahead of the true time (negative: behind), whole seconds.
    public mutating func setWallClockSkew(_ index: Int, _ skew: Duration) {
        hosts[index].wallClockSkew = skew
    }

    /// The true time as Unix seconds, for scenarios that give the cluster an absolute time (banner expiry).
    public var trueUnixSeconds: UInt64 { unixEpoch + UInt64(max(0, now.nanoseconds) / 1_000_000_000) }

    /// Graceful leave: announce, keep running for the agent's grace period, then exit.
    public mutating func leave<Observer: SimulationObserver>(_ index: Int, observer: inout Observer) {
        guard case .running = hosts[index].process else { return }
        let local = localNow(index)
        let effects = hosts[index].updateCore { $0.leave(now: local) }!
        guard case .running(let core) = hosts[index].process else { return }
        let exitAt = now + settings.leaveGrace
        hosts[index].hasLeft = true
        hosts[index].disruptedAt = now
        hosts[index].process = .leaving(core, exitAt: exitAt)
        queue.push(.exit(node: index), at: exitAt)
        finishStep(index, cause: .leave, effects: effects, hostileChange: false, observer: &observer)
    }

    /// Delivers hand-made bytes to `target`'s current process: forgeries and replays.
    public mutating func inject(_ bytes: [UInt8], to target: Int) {
        inject(bytes, to: target, input: HostileInput(source: Self.hostileAddress, integrity: .checked))
    }

    /// Delivers hostile bytes to `target`'s current process `after` from now, claiming `input.source`.
    mutating func inject(_ bytes: [UInt8], to target: Int, input: HostileInput, after delay: Duration = .zero) {
        queue.push(.hostileDelivery(bytes: bytes, to: target, boot: hosts[target].boots, input: input), at: now + delay)
    }

    // MARK: Internals

    /// A datagram the host handled since it last booted; replaying one to a host that lost its
    /// memory is not a replay it could recognise.
    func lastDelivery(to index: Int) -> [UInt8]? { hosts[index].lastReceived }

    func localNow(_ index: Int) -> Instant { hosts[index].clock.local(at: now) }

    /// What `index`'s wall clock reads now, in Unix seconds.
    func unixSeconds(_ index: Int) -> UInt64 {
        let skewed = now.nanoseconds + hosts[index].wallClockSkew.components.seconds * 1_000_000_000
        return unixEpoch + UInt64(max(0, skewed) / 1_000_000_000)
    }

    private mutating func boot<Observer: SimulationObserver>(_ index: Int, observer: inout Observer) {
        var core = makeCore(index, foundsCluster: index == founder)
        start(index, core: &core, observer: &observer)
    }

    /// The hosts a core of `index` is configured to join through.
    func seedHosts(of index: Int) -> [Int] { (0..<min(Self.seedCount, hosts.count)).filter { $0 != index } }

    /// A new core for the host, from its durable state, not started yet.
    func makeCore(_ index: Int, foundsCluster: Bool, firstRoundDelay: Duration = .zero) -> MembershipNode {
        let host = hosts[index]
        let seeds = seedHosts(of: index).map { hosts[$0].address }
        let randomSeed = seed &* 1_000_003 &+ UInt64(index) &+ UInt64(host.boots) << 40
        var configuration = MembershipConfiguration(
            signer: host.identity.signer, certificate: host.identity.certificate,
            authorityKey: identities.authorityKey, scheme: scheme, nonces: ShortHashNonces(seed: randomSeed), settings: settings,
            advertiseAddress: host.address, appVersion: host.appVersion, seeds: seeds,
            restoredIncarnation: host.durable.incarnation, randomSeed: randomSeed)
        configuration.restoredDecisions = host.durable.decisions
        configuration.decisionSettings = host.decisionSettings
        configuration.foundsCluster = foundsCluster
        configuration.firstRoundDelay = firstRoundDelay
        if !gossipKeys.isEmpty, let nodeKey = host.identity.signer as? Ed25519KeyPair {
            configuration.cipher = SodiumGossipCipher(nodeKey: nodeKey)
            configuration.gossipKeys = gossipKeys
        }
        return MembershipNode(configuration: configuration, now: localNow(index), unixSeconds: unixSeconds(index))
    }

    mutating func start<Observer: SimulationObserver>(_ index: Int, core: inout MembershipNode,
                                                      observer: inout Observer) {
        let effects = core.start(now: localNow(index))
        hosts[index].boots += 1
        hosts[index].hasLeft = false
        hosts[index].disruptedAt = now
        hosts[index].bootedAt = now
        hosts[index].process = .running(core)
        if hosts[index].firstHeartbeat == nil { hosts[index].firstHeartbeat = core.ownSignedHeartbeat }
        finishStep(index, cause: .boot, effects: effects, hostileChange: false, observer: &observer)
    }
}

extension SimulatedCluster {
    /// Gives `command` to a running host's endpoint; returns its request id (nil: the host is
    /// not running, so nobody answers). The outcome lands in `commands` when the core gives it.
    @discardableResult
    public mutating func submit<Observer: SimulationObserver>(_ command: OperatorCommand, at index: Int,
                                                             observer: inout Observer) -> UInt64? {
        guard case .running = hosts[index].process else { return nil }
        let requestID = UInt64(commands.count + 1)
        commands.append(CommandRecord(requestID: requestID, node: index, command: command, at: now))
        let local = localNow(index)
        let effects = hosts[index].updateCore { $0.submit(command, requestID: requestID, now: local) }!
        finishStep(index, cause: .command, effects: effects, hostileChange: false, observer: &observer)
        return requestID
    }

    /// Drains or undrains a running host: a heartbeat change that must reach every member.
    public mutating func setServing<Observer: SimulationObserver>(_ index: Int, _ state: ServingState,
                                                                 observer: inout Observer) {
        guard case .running = hosts[index].process else { return }
        let local = localNow(index)
        let effects = hosts[index].updateCore { $0.setServing(state, now: local) }!
        finishStep(index, cause: .command, effects: effects, hostileChange: false, observer: &observer)
    }
}
