import ChorusWire

/// How many of each per-member and per-decision structure one core holds: with the strides
/// below, what the simulator's memory census multiplies out (docs/simulator.md, "Memory").
public struct CoreFootprint: Sendable {
    public var members = 0
    public var trustedCertificates = 0
    public var certificateHolders = 0
    public var certificateWanted = 0
    public var forgottenMembers = 0
    public var queuedBroadcasts = 0
    /// Entries of the decision view and of the engine's copy of it (one shared buffer when equal).
    public var decisionViewEntries = 0
    public var unadmittedWatched = 0
    public var decidedSlots = 0
    /// Signed votes held as proofs of decided slots.
    public var proofVotes = 0
    /// Signed votes held for slots not decided yet.
    public var pendingVotes = 0

    public init() {}

    public static func + (lhs: CoreFootprint, rhs: CoreFootprint) -> CoreFootprint {
        var sum = lhs
        sum.members += rhs.members
        sum.trustedCertificates += rhs.trustedCertificates
        sum.certificateHolders += rhs.certificateHolders
        sum.certificateWanted += rhs.certificateWanted
        sum.forgottenMembers += rhs.forgottenMembers
        sum.queuedBroadcasts += rhs.queuedBroadcasts
        sum.decisionViewEntries += rhs.decisionViewEntries
        sum.unadmittedWatched += rhs.unadmittedWatched
        sum.decidedSlots += rhs.decidedSlots
        sum.proofVotes += rhs.proofVotes
        sum.pendingVotes += rhs.pendingVotes
        return sum
    }

    /// Inline sizes in bytes; heap buffers (arrays, boxed suspicions) come on top.
    public static var memberStride: Int { MemoryLayout<Member>.stride }
    public static var certificateStride: Int { MemoryLayout<Certificate>.stride }
    public static var heartbeatStride: Int { MemoryLayout<Heartbeat>.stride }
    public static var signedStatementStride: Int { MemoryLayout<SignedStatement>.stride }
    public static var memberFactsStride: Int { MemoryLayout<MemberFacts>.stride }
}

extension MembershipNode {
    public var footprint: CoreFootprint {
        var footprint = CoreFootprint()
        footprint.members = members.count
        footprint.trustedCertificates = trust.certificates.count
        footprint.certificateHolders = certificateCarriage.holders.count
        footprint.certificateWanted = certificateCarriage.wanted.count
        footprint.forgottenMembers = forgotten.count
        footprint.queuedBroadcasts = broadcasts.count
        footprint.decisionViewEntries = memberFacts.decisionView.count
        footprint.unadmittedWatched = decisions.firstSeenUnadmitted.count
        footprint.decidedSlots = decisions.log.count
        footprint.proofVotes = decisions.log.reduce(0) { $0 + $1.votes.count }
        footprint.pendingVotes = decisions.pendingVotes.values.reduce(0) { $0 + $1.count }
        return footprint
    }
}
