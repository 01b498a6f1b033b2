import ChorusWire

/// The probe this node has in flight (one at a time, as in SWIM).
struct ActiveProbe: Sendable {
    let sequence: UInt32
    /// Only an ack or nack echoing it answers this probe (`ProbeFreshness`).
    let nonce: UInt64
    let target: NodeID
    /// The life of the target this probe speaks for: its heartbeat's incarnation when it began.
    let incarnation: UInt64
    /// When to give up on a direct ack and ask others.
    let indirectAt: Instant
    /// When the probe fails if nothing answered.
    var endAt: Instant
    var indirectSent = false
    /// The members asked to probe the target: only they (and the target) may answer.
    var helpers: [NodeID] = []
    var expectedNacks = 0
    var nacks = 0
    /// The end was read late once and put off (`lateTolerance`); the next reading decides.
    var endPostponed = false
}

/// A probe this node runs on another node's behalf (a ping request).
struct RelayedProbe: Sendable {
    let requester: NodeID
    let requesterAddress: PeerAddress
    let requesterSequence: UInt32
    /// Echoed in our ack or nack to the requester (nil from a version 1 requester).
    let requesterNonce: UInt64?
    let target: NodeID
    /// Our own ping's nonce, which the target's ack must echo.
    let nonce: UInt64
    /// Lifeguard: answer "I could not reach it" before the requester's probe ends.
    let nackAt: Instant
    let expiresAt: Instant
    var nackSent = false
}
