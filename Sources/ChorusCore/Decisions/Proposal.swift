import ChorusWire

/// A proposal in flight for one slot (Paxos phases 1 and 2), or waiting to retry.
struct Proposal: Sendable {
    enum Purpose: Sendable, Equatable {
        case command(requestID: UInt64)
        case automatic
    }

    enum Stage: Sendable {
        /// Backing off after a lost round; a new ballot starts at `until`.
        case waiting(until: Instant)
        case preparing(promised: Set<NodeID>, highestAccepted: QuorumMessage.AcceptedValue?)
        case accepting
    }

    var slot: UInt64
    var ballot: Ballot
    /// What this proposer wants; phase 2 may carry an earlier accepted value instead.
    var wanted: DecisionValue
    var purpose: Purpose
    var stage: Stage
    var roundDeadline: Instant
}
