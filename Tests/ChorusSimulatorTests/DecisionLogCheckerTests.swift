import ChorusCore
import ChorusCrypto
@testable import ChorusSimulator
import ChorusWire
import Testing

/// The simulator's agreement and quorum checks catch logs that a broken engine would write.
@Suite("Decision log checks")
struct DecisionLogCheckerTests {
    let factory = IdentityFactory(seed: 9)
    var identities: [SimulatedIdentity] { (0..<3).map(factory.identity) }
    var ids: [NodeID] { identities.map { NodeID(bytes: $0.signer.publicKey)! } }
    var clusterID: [UInt8] { Array(factory.authority.publicKey.prefix(8)) }

    func decided(_ slot: UInt64, _ value: DecisionValue, votedBy voters: [Int]) -> DecidedSlot {
        let ballot = Ballot(round: 1, proposer: ids[0])
        let votes = voters.map {
            SignedStatement.sign(kind: .vote, body: Vote(slot: slot, ballot: ballot, value: value).encoded,
                                 clusterID: clusterID, signer: identities[$0].signer)
        }
        return DecidedSlot(slot: slot, ballot: ballot, value: value, votes: votes)
    }

    /// Founded by node 0, nodes 1 and 2 admitted: three voters, quorum two.
    var formed: [DecidedSlot] {
        [decided(0, .found(founder: ids[0], clusterVersion: "1.0.0"), votedBy: [0]),
         decided(1, .admit([ids[1]]), votedBy: [0]),
         decided(2, .admit([ids[2]]), votedBy: [0, 1])]
    }

    @Test("well-formed logs pass")
    func validLogs() {
        var checker = DecisionLogChecker()
        #expect(checker.check(host: 0, log: formed + [decided(3, .startUpgrade, votedBy: [1, 2])]).findings.isEmpty)
        #expect(checker.check(host: 1, log: formed).findings.isEmpty)
    }

    @Test("two hosts holding different values for one slot break agreement")
    func disagreementIsCaught() {
        var checker = DecisionLogChecker()
        _ = checker.check(host: 0, log: formed + [decided(3, .startUpgrade, votedBy: [0, 1])])
        let findings = checker.check(host: 1, log: formed + [decided(3, .remove(ids[2]), votedBy: [1, 2])]).findings
        guard case .disagreement(3, _, _)? = findings.first else {
            Issue.record("disagreement not found: \(findings)")
            return
        }
    }

    @Test("a decision on the vote of one of three voters (a quorum of one) breaks the quorum invariant")
    func quorumOfOneIsCaught() {
        var checker = DecisionLogChecker()
        let findings = checker.check(host: 2, log: formed + [decided(3, .startUpgrade, votedBy: [2])]).findings
        guard case .noQuorum(3, 1, 2)? = findings.first else {
            Issue.record("quorum of one not found: \(findings)")
            return
        }
    }
}
