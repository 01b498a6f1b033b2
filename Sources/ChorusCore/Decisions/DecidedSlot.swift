import ChorusWire

/// One filled slot of the decision log with its proof: the signed votes of a majority of the
/// slot's voters for the same ballot and value. Slot 0 is proven by the founder's vote alone.
public struct DecidedSlot: Sendable, Equatable {
    public var slot: UInt64
    public var ballot: Ballot
    public var value: DecisionValue
    public var votes: [SignedStatement]

    public init(slot: UInt64, ballot: Ballot, value: DecisionValue, votes: [SignedStatement]) {
        self.slot = slot
        self.ballot = ballot
        self.value = value
        self.votes = votes
    }
}

/// An acceptor's durable promise and acceptance for the one slot it has not seen decided.
/// Written before any promise or vote leaves the node, so a restart never contradicts it.
public struct AcceptorState: Sendable, Equatable {
    public var slot: UInt64
    public var promised: Ballot?
    public var accepted: QuorumMessage.AcceptedValue?
    /// The highest round this node has seen anywhere: its next ballot goes above it.
    public var highestRound: UInt32

    public init(slot: UInt64, promised: Ballot? = nil, accepted: QuorumMessage.AcceptedValue? = nil, highestRound: UInt32 = 0) {
        self.slot = slot
        self.promised = promised
        self.accepted = accepted
        self.highestRound = highestRound
    }
}

/// What survives a restart: the log and the acceptor's state.
public struct DurableDecisions: Sendable, Equatable {
    public var log: [DecidedSlot]
    public var acceptor: AcceptorState?

    public init(log: [DecidedSlot] = [], acceptor: AcceptorState? = nil) {
        self.log = log
        self.acceptor = acceptor
    }
}
