import ChorusWire
import HashTreeCollections

/// One node's membership protocol: SWIM failure detection with Lifeguard's refinements
/// (local health, dynamic suspicion, nacks), signed heartbeats and epidemic dissemination.
///
/// A value type with no IO and no clock. Each input (`start`, `receive`, `tick`, `leave`) takes
/// the current time and returns the effects the shell must carry out, in order. The shell calls
/// `tick` no later than `nextWakeup`. Not thread-safe: one owner drives it.
public struct MembershipNode: Sendable {
    /// 2: probes carry a nonce their acks and nacks echo; 3: every datagram starts with an
    /// exchange record, its recipient and the sender's epoch (docs/wire-format.md, "Freshness").
    public static let protocolVersion: UInt8 = 3

    let settings: MembershipSettings
    let signer: any MessageSigner
    /// Replaced only by a renewal of the same key (`replaceCertificate`).
    var certificate: Certificate
    let clusterID: [UInt8]
    public let id: NodeID
    let seeds: [PeerAddress]

    // This node's own heartbeat.
    var incarnation: UInt64
    /// The incarnation this process started at (stored before use, so every start has a new
    /// one), named in every datagram's exchange; refutations raise `incarnation`, not this.
    let processEpoch: UInt64
    var heartbeatSequence: UInt64 = 0
    var serving: ServingState = .serving
    var advertiseAddress: PeerAddress
    /// The application's version and health check (`setApplicationFacts`).
    var appVersion: String
    var appHealth: ApplicationHealth
    var ownStatement: SignedStatement

    /// Written only through `store` and `forget`, which keep `memberIDs` and `index` in step.
    /// A persistent hash trie: copies share structure, so views that start from one roster
    /// (`ConvergedRoster`) cost only the entries each node has changed since.
    var members = TreeDictionary<NodeID, Member>()
    /// The keys of `members`, sorted: dictionaries iterate in a per-instance order, so every
    /// choice that must replay from the seed walks this list instead.
    var memberIDs = MemberSet()
    /// Last (incarnation, sequence) of members reaped from tombstones, so a replay of their old
    /// heartbeats cannot bring them back.
    var forgotten: [NodeID: Heartbeat] = [:]
    var index = MemberIndex()
    var trust: TrustStore
    var certificateCarriage: CertificateCarriage
    var nextCertificateRequestAt = Instant.zero
    var verificationBudget = VerificationBudget()
    var recentSignatures = RecentSignatures()
    var sealing: GossipSealing
    /// When each joiner last got our full state (`answerJoinRequest`).
    var fullStateSentAt: [NodeID: Instant] = [:]
    /// Set while a datagram from an unproven source is handled (`ReplyAllowance`).
    var replyAllowance: ReplyAllowance?
    var nextCertificateAnswerAt = Instant.zero

    var probe: ActiveProbe?
    var relays: [UInt32: RelayedProbe] = [:]
    var probeNumbers: ProbeNumbers
    var probeRound = ProbeRound()
    var nextProbeAt: Instant
    var nextGossipAt: Instant
    var nextAntiEntropyAt: Instant
    var joinRetry: JoinRetry
    /// `nextWakeup` as it stood after the last input: the time the shell was asked to tick.
    var requestedWakeup: Instant
    var unixSeconds: UInt64 = 0

    /// Lifeguard's local health score: 0 is healthy; each point stretches probe timing.
    public internal(set) var localHealth = 0
    /// This node's own lateness and the members that just joined (`noteLateRunning`).
    var lateRunning = LateRunning()
    public internal(set) var hasJoined: Bool
    public internal(set) var isLeaving = false
    public internal(set) var counters = CoreCounters()

    var broadcasts = BroadcastQueue()
    var clusterEvents = ClusterEventTracker()
    var random: SeededRandom
    var effects: [MembershipEffect] = []

    /// The cluster's decision log and this node's part in agreeing on it.
    public internal(set) var decisions: DecisionEngine
    /// The voters' names, kept after their member entries go (`refreshVoterNames`).
    public internal(set) var voterNames = VoterNames()
    /// Every member's status and version, this node's too, kept in step by `store` and `forget`.
    var memberFacts: MemberFactsFeed

    public init(configuration: MembershipConfiguration, now: Instant, unixSeconds: UInt64) {
        settings = configuration.settings
        signer = configuration.signer
        certificate = configuration.certificate
        clusterID = Array(configuration.authorityKey.prefix(8))
        id = NodeID(bytes: configuration.signer.publicKey)!
        seeds = configuration.seeds
        incarnation = IncarnationBounds.refuting(configuration.restoredIncarnation, current: 0)
        processEpoch = incarnation
        advertiseAddress = configuration.advertiseAddress
        appVersion = configuration.appVersion
        serving = configuration.startsDraining ? .draining : .serving
        appHealth = configuration.appHealth
        trust = TrustStore(authorityKey: configuration.authorityKey, scheme: configuration.scheme)
        random = SeededRandom(seed: configuration.randomSeed)
        probeNumbers = ProbeNumbers(nonces: configuration.nonces)
        nextProbeAt = now + configuration.firstRoundDelay
        nextGossipAt = now + configuration.firstRoundDelay
        nextAntiEntropyAt = now + configuration.settings.antiEntropyInterval
        joinRetry = JoinRetry(now: now, initial: configuration.settings.joinRetryInitial,
                              maximum: configuration.settings.joinRetryMax)
        requestedWakeup = now
        self.unixSeconds = unixSeconds
        hasJoined = configuration.seeds.isEmpty
        certificateCarriage = CertificateCarriage(settlesAt: now + configuration.settings.certificateSettleTime)
        decisions = DecisionEngine(
            id: id, signer: configuration.signer, clusterID: clusterID, scheme: configuration.scheme,
            settings: configuration.decisionSettings,
            foundNotBefore: configuration.foundsCluster ? now + configuration.foundingDelay : nil,
            appVersion: configuration.appVersion, restored: configuration.restoredDecisions,
            randomSeed: configuration.randomSeed, now: now)
        memberFacts = MemberFactsFeed([id: MemberFacts(
            status: .alive, version: configuration.appVersion, name: configuration.certificate.name,
            inService: !configuration.startsDraining && configuration.appHealth != .unhealthy)])
        ownStatement = SignedStatement(kind: 0, origin: id, body: [], signature: [])
        sealing = GossipSealing(cipher: configuration.cipher, configured: configuration.gossipKeys)
        sealing.refresh(agreed: decisions.agreed.keyring, decidedSlots: decisions.nextSlot)
        _ = trust.admit(configuration.certificate, unixSeconds: unixSeconds)
        for revokedID in decisions.agreed.revoked { trust.revoke(revokedID) }
        voterNames = configuration.restoredVoterNames
        voterNames.keepOnly { [id, agreed = decisions.agreed] in $0 != id && agreed.isVoter($0) }
        decisions.voterNames = voterNames
        ownStatement = signOwnHeartbeat()
        clusterEvents = ClusterEventTracker(banner: activeBanner)
    }

    // MARK: Inputs

    /// Persists the new incarnation, then starts joining. Call once, before anything else.
    public mutating func start(now: Instant) -> [MembershipEffect] {
        effects.append(.persistIncarnation(incarnation))
        advanceClock(now)
        joinIfNeeded(now: now)
        tickDecisions(now: now)
        return takeEffects()
    }

    /// Handles one datagram from `source`. Untrusted input: never traps, rejects are counted.
    public mutating func receive(_ bytes: [UInt8], from source: PeerAddress, now: Instant) -> [MembershipEffect] {
        advanceClock(now)
        handleDatagram(bytes, from: source, now: now)
        return takeEffects()
    }

    /// Drives every timer: probes, gossip rounds, suspicion expiry, joins, anti-entropy, reaping.
    public mutating func tick(now: Instant, unixSeconds: UInt64) -> [MembershipEffect] {
        self.unixSeconds = unixSeconds
        advanceClock(now)
        joinIfNeeded(now: now)
        driveProbe(now: now)
        expireRelays(now: now)
        expireSuspicions(now: now)
        gossipIfDue(now: now)
        antiEntropyIfDue(now: now)
        certificateCarriage.settleIfDue(now: now)
        reapTombstones(now: now)
        tickDecisions(now: now)
        return takeEffects() + takeTickEvents()
    }

    /// Announces a graceful leave: others mark this node `left`, never `dead`. After this the node
    /// stops probing and accusing; the shell keeps ticking briefly so the news spreads, then exits.
    public mutating func leave(now: Instant) -> [MembershipEffect] {
        advanceClock(now)
        guard !isLeaving else { return [] }
        isLeaving = true
        serving = .leaving
        memberFacts[id] = ownFacts
        probe = nil
        refreshHeartbeat()
        broadcastOwnHeartbeat()
        for target in index.probeable.sample(settings.leaveDirectNotifications, using: &random) {
            guard let member = members[target] else { continue }
            sendGossip(to: member.heartbeat.address, peer: target, leading: [ownStatement.record])
        }
        // Not joined yet (a leave right after boot): the seeds have seen our join request and
        // will announce us, so they must hear the leave too, or we would be declared dead.
        if !hasJoined {
            for seed in seeds where seed != advertiseAddress {
                sendGossip(to: seed, peer: nil, leading: [ownStatement.record])
            }
        }
        return takeEffects()
    }

    // MARK: Reads

    /// The earliest time `tick` has work to do.
    public var nextWakeup: Instant {
        var wake = nextAntiEntropyAt
        if let probe {
            wake = min(wake, probe.indirectSent ? probe.endAt : probe.indirectAt)
        } else if !isLeaving {
            wake = min(wake, nextProbeAt)
        }
        if !broadcasts.isEmpty { wake = min(wake, nextGossipAt) }
        if !hasJoined { wake = min(wake, joinRetry.nextAt) }
        for relay in relays.values where !relay.nackSent { wake = min(wake, relay.nackAt) }
        if let next = index.earliestSuspicionEvent { wake = min(wake, next) }
        if let decisionWake = decisions.nextWakeup { wake = min(wake, decisionWake) }
        return wake
    }

    public var localMember: MemberSnapshot {
        MemberSnapshot(
            name: certificate.name, id: id, address: advertiseAddress, status: isLeaving ? .left : .alive,
            version: appVersion, incarnation: incarnation, serving: serving,
            protocolVersion: Self.protocolVersion, voter: decisions.isVoter, isLocal: true,
            certificateExpiresAt: certificate.expiresAt, health: appHealth)
    }

    /// Every known member including this node, sorted by name then id.
    public var memberSnapshots: [MemberSnapshot] {
        ([localMember] + members.values.map { snapshot(of: $0) }).sorted {
            ($0.name, $0.id) < ($1.name, $1.id)
        }
    }

    /// What the decision engine knows of this node, as of its own heartbeat.
    var ownFacts: MemberFacts {
        MemberFacts(status: isLeaving ? .left : .alive, version: appVersion, name: certificate.name,
                    inService: serving == .serving && appHealth != .unhealthy)
    }

    /// Members other than this node that are alive, plus this node: the N of the timeout formulas.
    var clusterSize: Int { 1 + index.probeable.count }

    // MARK: Internals shared by the concern files

    mutating func takeEffects() -> [MembershipEffect] {
        defer { effects.removeAll(keepingCapacity: true) }
        // A wakeup already due is asked for now, not at its (past) time: lateness is counted from here.
        requestedWakeup = max(nextWakeup, lateRunning.now)
        return annotateDecisions(effects)
    }

    /// Notices stalls: running far later than the wakeup this node asked for means the process
    /// was frozen, so its own timers are late, not its peers. Lifeguard: distrust yourself before
    /// accusing others. Measured against the requested wakeup, not the last input: a node that
    /// hears nothing (isolated) wakes only on its own timers, whose gaps grow with local health,
    /// and must not mistake that quiet for a stall.
    mutating func advanceClock(_ now: Instant) {
        let lateness = now - requestedWakeup
        noteLateRunning(by: lateness, now: now)
        if lateness > settings.stallThreshold {
            for id in index.suspected { members[id]?.suspicion?.extend(by: lateness) }
            refreshSuspicionDeadline()
            probe = nil
            relays.removeAll()
            nextProbeAt = now
            raiseLocalHealth()
            requestedWakeup = now
        }
    }

    mutating func raiseLocalHealth() { localHealth = min(settings.maxLocalHealth, localHealth + 1) }
    mutating func lowerLocalHealth() { localHealth = max(0, localHealth - 1) }

    /// Probe timing stretched by local health (Lifeguard LHM).
    func scaled(_ duration: Duration) -> Duration { duration * (1 + localHealth) }

    /// This node's heartbeat as it stands now; `ownStatement` is its signed form.
    var ownHeartbeat: Heartbeat {
        Heartbeat(
            incarnation: incarnation, sequence: heartbeatSequence, address: advertiseAddress,
            appVersion: appVersion, protocolVersion: Self.protocolVersion, serving: serving.wireValue,
            decisionsDigest: decisionsDigest, appHealth: appHealth.wireValue)
    }

    func signOwnHeartbeat() -> SignedStatement {
        SignedStatement.sign(kind: .heartbeat, body: ownHeartbeat.encoded, clusterID: clusterID, signer: signer)
    }

    /// Bumps the heartbeat sequence and re-signs: the periodic heartbeat (SPEC §3).
    mutating func refreshHeartbeat() {
        heartbeatSequence += 1
        ownStatement = signOwnHeartbeat()
    }

    public func snapshot(of id: NodeID) -> MemberSnapshot? { members[id].map(snapshot(of:)) }

    /// A member as reported: `voter` is what the decision log says, not what gossip says.
    private func snapshot(of member: Member) -> MemberSnapshot {
        var snapshot = member.snapshot()
        snapshot.voter = decisions.agreed.isVoter(member.id)
        return snapshot
    }

    mutating func emit(_ kind: MembershipEvent.Kind, _ id: NodeID) {
        if kind == .memberJoin { noteNewcomer(id) }
        if let member = snapshot(of: id) { effects.append(.event(MembershipEvent(kind: kind, member: member))) }
    }
}
