import ChorusCore
import ChorusWire
import Hummingbird

/// `GET /v1/decisions?from=N`: this agent's decision log from slot N (default 0), read-only.
/// What makes SPEC §11.1 (agreement) and §11.3 (quorum) observable from outside: every agent's
/// slots can be compared, and each slot's proof (who voted) checked against the voters that the
/// log before it defines. At most `limit` (default and maximum 256) slots per answer.
enum DecisionRoutes {
    static let maximumPage = 256

    static func routes(source: some AgentStatusSource) -> [HTTPRoute] {
        [
            HTTPRoute(.get, "/v1/decisions") { request, _ in
                let from = try QueryParameters.count("from", in: request, default: UInt64(0))
                let limit = min(try QueryParameters.count("limit", in: request, default: UInt(maximumPage)), UInt(maximumPage))
                let log = await source.decisionLog(from: from, limit: Int(limit))
                return try JSONResponse.make(log.map(DecisionResponse.init))
            },
        ]
    }
}

/// One decided slot: what was decided, by which ballot, and the voters whose signed votes prove it.
public struct DecisionResponse: Codable, Sendable, Equatable {
    public var slot: UInt64
    /// Kebab-case name (`start`, `admit`, `grant-lease`, ...).
    public var decision: String
    /// The value's wire encoding in hex: equal values, equal strings. A key install shows its
    /// key id, not the key: reads are open (SPEC §7), the key is a secret.
    public var value: String
    /// The members a `found`, `admit`, `remove` or `grant-lease` names (hex ids; empty for others).
    public var members: [String]
    public var ballotRound: UInt32
    public var ballotProposer: String
    /// Hex ids of the voters whose votes form the proof, as this agent holds it.
    public var votes: [String]

    public init(_ decided: DecidedSlot) {
        slot = decided.slot
        decision = decided.value.name
        value = Hex.encode(decided.value.publicEncoding)
        switch decided.value {
        case .found(let founder, _): members = [founder.hex]
        case .admit(let ids): members = ids.map(\.hex)
        case .remove(let id): members = [id.hex]
        case .grantLease(let runner, _, _): members = [runner.hex]
        default: members = []
        }
        ballotRound = decided.ballot.round
        ballotProposer = decided.ballot.proposer.hex
        votes = decided.votes.map(\.origin.hex)
    }
}
