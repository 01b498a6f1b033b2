import ChorusWire
import Foundation

/// Records that trap the core on overflow defects whose fix is pending on another branch
/// (bounded arithmetic, issue 14): the long run drops them, so that it keeps looking for other
/// defects instead of finding these again every few seconds. One input of each is kept under
/// Fuzz/Crashes/, and docs/fuzzing.md names the line it traps on. With `fuzzAll` (the
/// environment variable FUZZ_CORE_ALL=1) nothing is dropped: the run that shows whether a fix holds.
enum PendingFixes {
    /// `refute` raises its incarnation to one above the accusation's: MembershipNode+Statements.swift:166.
    static let refutableIncarnationLimit = UInt64.max - 1
    /// Each new round is one above the highest round seen: DecisionEngine+Proposer.swift:15. A
    /// million rounds of room is more than the 48 steps of one input can use.
    static let roundLimit = UInt32.max - 1_000_000

    static let fuzzAll = getenv("FUZZ_CORE_ALL").map { String(cString: $0) == "1" } ?? false

    /// False for a record in a class above; the record as the core would decode it.
    static func allows(_ record: Record, node: NodeID) -> Bool {
        guard !fuzzAll else { return true }
        switch RecordType(rawValue: record.type) {
        case .statement:
            guard let statement = try? SignedStatement.decode(record.value) else { return true }
            return allows(statement, node: node)
        case .votes:
            guard let votes = try? VoteBundle.decode(record.value), let body = votes.first?.body,
                  let vote = try? Vote.decode(body) else { return true }
            return vote.ballot.round <= roundLimit
        case .prepare, .promise, .accept, .refuse, .catchUp:
            guard let message = try? QuorumMessage.decode(record) else { return true }
            return rounds(of: message).allSatisfy { $0 <= roundLimit }
        default:
            return true
        }
    }

    private static func allows(_ statement: SignedStatement, node: NodeID) -> Bool {
        switch SignedStatement.Kind(rawValue: statement.kind) {
        case .suspect, .dead:
            guard let accusation = try? Accusation.decode(statement.body) else { return true }
            return accusation.subject != node || accusation.incarnation <= refutableIncarnationLimit
        case .vote:
            guard let vote = try? Vote.decode(statement.body) else { return true }
            return vote.ballot.round <= roundLimit
        case .heartbeat, nil:
            return true
        }
    }

    private static func rounds(of message: QuorumMessage) -> [UInt32] {
        switch message {
        case .prepare(_, let ballot), .accept(_, let ballot, _): [ballot.round]
        case .promise(_, let ballot, let accepted): [ballot.round] + (accepted.map { [$0.ballot.round] } ?? [])
        case .refuse(_, let promised, _): promised.map { [$0.round] } ?? []
        case .catchUp: []
        }
    }
}
