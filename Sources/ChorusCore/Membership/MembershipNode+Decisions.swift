import ChorusWire
import HashTreeCollections

/// The decision engine rides on membership: its messages travel in the same signed datagrams,
/// its view of voters comes from the member list, and heartbeats carry how many slots this
/// node has decided, so a node that is behind learns it and catches up.
extension MembershipNode {
    /// Takes an operator command; its outcome comes back as a `commandFinished` effect.
    public mutating func submit(_ command: OperatorCommand, requestID: UInt64, now: Instant) -> [MembershipEffect] {
        advanceClock(now)
        if let rejection = keyringRejection(of: command) {
            effects.append(.decision(.commandFinished(requestID: requestID, outcome: .rejected(reason: rejection))))
            return takeEffects()
        }
        memberFacts.refreshDecisionView(now: now, force: true)
        let decided = decisions.submit(command, requestID: requestID, now: now, members: memberFacts.decisionView)
        carryOut(decided)
        return takeEffects()
    }

    /// The shell's upgrade-tasks command of lease `term` ended (`failure` nil on success).
    public mutating func tasksEnded(term: UInt32, failure: String?, now: Instant) -> [MembershipEffect] {
        advanceClock(now)
        carryOut(decisions.tasksEnded(term: term, failure: failure, now: now))
        return takeEffects()
    }

    /// The shell's rollout turn of slot `term` ended (SPEC §13): done, or failed with the reason.
    public mutating func rolloutTurnEnded(term: UInt32, failure: String?, now: Instant) -> [MembershipEffect] {
        advanceClock(now)
        carryOut(decisions.rolloutTurnEnded(term: term, failure: failure, now: now))
        return takeEffects()
    }

    public var upgradeStatus: UpgradeStatus { decisions.upgradeStatus }

    /// The heartbeat's decisions digest: the number of decided slots, big-endian.
    var decisionsDigest: [UInt8] {
        let count = decisions.nextSlot
        return (0..<8).map { UInt8(truncatingIfNeeded: count >> (56 - 8 * UInt64($0))) }
    }

    static func decidedCount(in digest: [UInt8]) -> UInt64 {
        digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func handleQuorumRecord(_ record: Record, sender: NodeID, now: Instant) throws(WireError) {
        guard let message = try QuorumMessage.decode(record) else { return }
        carryOut(decisions.receive(message, from: sender, now: now))
    }

    mutating func handleVotes(_ votes: [SignedStatement], sender: NodeID, now: Instant) {
        carryOut(decisions.receive(votes: votes, from: sender, now: now))
    }

    mutating func noteDecisionsDigest(of heartbeat: Heartbeat, origin: NodeID, now: Instant) {
        carryOut(decisions.peerHasDecided(Self.decidedCount(in: heartbeat.decisionsDigest), peer: origin, now: now))
    }

    mutating func tickDecisions(now: Instant) {
        memberFacts.refreshDecisionView(now: now)
        carryOut(decisions.tick(now: now, members: memberFacts.decisionView))
    }

    /// Turns the engine's effects into ours, in order: sends become datagrams to the member's
    /// address (split across as many as the records need), the rest pass through unchanged.
    /// A revocation takes effect after the batch: the decision's own messages still reach the
    /// revoked node, so it learns that it is out (and its load-balancer check says so).
    mutating func carryOut(_ outputs: [DecisionOutput]) {
        defer { refreshSealing() }
        var revoked: [NodeID] = []
        for output in outputs {
            switch output {
            case .send(let records, let peer):
                guard let address = members[peer]?.heartbeat.address else { continue }
                sendRecords(records, to: address, peer: peer)
            case .effect(let effect):
                if case .decided(_, let value, true) = effect, value.changesVoters { refreshVoterNames() }
                if case .decided(_, .revoke(let revokedID), true) = effect {
                    announceRevocation(of: revokedID)
                    revoked.append(revokedID)
                }
                effects.append(.decision(effect))
            }
        }
        for revokedID in revoked { applyRevocation(of: revokedID) }
    }

    private mutating func announceRevocation(of revokedID: NodeID) {
        if let member = snapshot(of: revokedID) { effects.append(.event(MembershipEvent(kind: .memberRevoked, member: member))) }
    }

    /// The revoked member leaves the member list (announced as `member-revoked`), and nothing
    /// signed by its key is taken from now on, relayed or direct.
    private mutating func applyRevocation(of revokedID: NodeID) {
        forget(revokedID)
        trust.revoke(revokedID)
    }

    private mutating func sendRecords(_ records: [Record], to address: PeerAddress, peer: NodeID) {
        var builder = newBuilder(for: peer)
        for record in records where !builder.append(record) {
            send(builder, to: address)
            builder = newBuilder(for: peer)
            builder.append(record)
        }
        if !builder.isEmpty { send(builder, to: address) }
    }

    private func newBuilder(for peer: NodeID) -> DatagramBuilder {
        var builder = newDatagram(to: peer, maxSize: datagramRoom)
        if certificateCarriage.mayLack(peer) {
            builder.append(ownCertificateRecord)
        }
        return builder
    }
}

/// The cluster as this node sees it, for the endpoint (`GET /v1/cluster`) and the CLI.
public struct ClusterSnapshot: Sendable, Equatable {
    public var status: UpgradeStatus
    public var agreed: AgreedState
    /// Voters by name (sorted); a voter this node never heard of is named by its short id.
    public var voterNames: [String]
    /// The task runner's name while the tasks run.
    public var taskRunner: String?
    /// Every live member reports as many decided slots as this node.
    public var converged: Bool
    public var decidedSlots: UInt64
    /// Why this node's own version cannot vote in this cluster, if it cannot.
    public var localIncompatibility: String?
    /// The agreed banner unless it has expired by this node's wall clock.
    public var banner: AnnouncementBanner?
    /// Why the cluster refuses this node's heartbeats: another live member holds its name.
    public var localNameConflict: String?

    public init(status: UpgradeStatus, agreed: AgreedState, voterNames: [String], taskRunner: String?,
                converged: Bool, decidedSlots: UInt64, localIncompatibility: String?, banner: AnnouncementBanner? = nil,
                localNameConflict: String? = nil) {
        self.status = status
        self.agreed = agreed
        self.voterNames = voterNames
        self.taskRunner = taskRunner
        self.converged = converged
        self.decidedSlots = decidedSlots
        self.localIncompatibility = localIncompatibility
        self.banner = banner
        self.localNameConflict = localNameConflict
    }
}

extension MembershipNode {
    public var clusterSnapshot: ClusterSnapshot {
        let agreed = decisions.agreed
        let converged = index.alive.allSatisfy { member in
            members[member].map { Self.decidedCount(in: $0.heartbeat.decisionsDigest) == decisions.nextSlot } ?? true
        }
        let incompatibility = agreed.isFounded
            ? SemanticVersion.incompatibility(of: appVersion, clusterVersion: agreed.clusterVersion) : nil
        return ClusterSnapshot(
            status: decisions.upgradeStatus, agreed: agreed,
            voterNames: agreed.voters.map(displayName).sorted(), taskRunner: agreed.lease.map { displayName(of: $0.runner) },
            converged: converged, decidedSlots: decisions.nextSlot, localIncompatibility: incompatibility,
            banner: activeBanner, localNameConflict: localNameConflict)
    }

    /// A member's name for messages: its certificate's, or the one the log recorded, or its short id.
    public func displayName(of member: NodeID) -> String {
        member == id ? certificate.name : members[member]?.name ?? voterNames[member] ?? member.short
    }

    /// The banner this node serves: the agreed one until its expiry passes on this node's wall
    /// clock (as of the last input), so agents disagree about it by no more than their clocks do.
    public var activeBanner: AnnouncementBanner? {
        decisions.agreed.banner.flatMap { $0.isActive(atUnixSeconds: unixSeconds) ? $0 : nil }
    }
}
