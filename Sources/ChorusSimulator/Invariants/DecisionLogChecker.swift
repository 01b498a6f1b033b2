import ChorusCore
import ChorusWire

/// SPEC §11.1 and §11.3 over every host's durable decision log: no two hosts ever hold
/// different values for one slot, and every slot's proof carries votes of a majority of the
/// voters the log before it defines (slot 0: the founder's own vote).
struct DecisionLogChecker: Sendable {
    /// The first value any host decided for each slot, and the agreed state before each.
    private var chosen: [DecidedSlot] = []
    private var agreedBefore: [AgreedState] = [AgreedState()]
    /// How many entries of each host's log were already compared.
    private var checkedCount: [Int: Int] = [:]

    enum Finding {
        case disagreement(slot: UInt64, held: DecisionValue, chosen: DecisionValue)
        case noQuorum(slot: UInt64, votes: Int, needed: Int)
    }

    /// Compares the entries `host` decided since the last call; returns what is wrong, if anything.
    mutating func check(host: Int, log: [DecidedSlot]) -> (checked: Int, findings: [Finding]) {
        let start = min(checkedCount[host] ?? 0, log.count)
        checkedCount[host] = log.count
        var findings: [Finding] = []
        for entry in log[start...] {
            let slot = Int(entry.slot)
            if slot < chosen.count {
                if chosen[slot].value != entry.value {
                    findings.append(.disagreement(slot: entry.slot, held: entry.value, chosen: chosen[slot].value))
                }
                continue
            }
            guard slot == chosen.count else { continue }
            let before = agreedBefore[slot]
            let votes = Self.proofVotes(entry, voters: before)
            let needed = slot == 0 ? 1 : before.quorum
            if votes < needed { findings.append(.noQuorum(slot: entry.slot, votes: votes, needed: needed)) }
            chosen.append(entry)
            var after = before
            after.apply(entry.value, slot: entry.slot)
            agreedBefore.append(after)
        }
        if log.count < start { checkedCount[host] = log.count } // a host never loses entries; stay safe
        return (log.count - start, findings)
    }

    /// Distinct voters whose vote matches the entry's slot, ballot and value.
    private static func proofVotes(_ entry: DecidedSlot, voters: AgreedState) -> Int {
        var seen = Set<NodeID>()
        for statement in entry.votes {
            guard statement.kind == SignedStatement.Kind.vote.rawValue,
                  let vote = try? Vote.decode(statement.body),
                  vote.slot == entry.slot, vote.ballot == entry.ballot, vote.value == entry.value else { continue }
            if entry.slot == 0 {
                if case .found(let founder, _) = vote.value, founder == statement.origin { seen.insert(founder) }
            } else if voters.isVoter(statement.origin) {
                seen.insert(statement.origin)
            }
        }
        return seen.count
    }
}
