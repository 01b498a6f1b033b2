import ChorusCore
import ChorusSimulator
import ChorusWire
import Testing

/// Admissions name every compatible live member at once, up to a batch that fits one vote in
/// one datagram: forming an N-node cluster takes about N / 14 decisions, not N − 1.
@Suite("Batched admission of voters")
struct AdmissionTests {
    static let ids = (1...30).map { NodeID(bytes: [UInt8](repeating: UInt8($0), count: 32))! }

    @Test("an admission of up to 14 ascending ids survives the wire; anything else is refused")
    func wireFormat() throws {
        let batch = DecisionValue.admit(Array(Self.ids.prefix(DecisionValue.maxAdmissionBatch)))
        var reader = ByteReader(batch.encoded)
        #expect(try DecisionValue.decode(from: &reader) == batch)

        for (members, why) in [
            ([NodeID](), "empty"),
            (Array(Self.ids.prefix(DecisionValue.maxAdmissionBatch + 1)), "over the batch limit"),
            ([Self.ids[1], Self.ids[0]], "out of order"),
            ([Self.ids[0], Self.ids[0]], "a duplicate"),
        ] {
            var hostile = ByteReader(DecisionValue.admit(members).encoded)
            #expect(throws: WireError.self, "\(why)") { try DecisionValue.decode(from: &hostile) }
        }
    }

    @Test("a vote for the largest admission fits one datagram beside the longest certificate")
    func largestVoteFitsADatagram() {
        let factory = IdentityFactory(seed: 1)
        let signer = factory.identity(0).signer
        let longestName = String(repeating: "n", count: Certificate.maxNameLength)
        let certificate = Certificate.issue(name: longestName, publicKey: signer.publicKey, expiresAt: .max,
                                            authority: factory.authority)
        let value = DecisionValue.admit(Array(Self.ids.prefix(DecisionValue.maxAdmissionBatch)))
        let vote = SignedStatement.sign(
            kind: .vote, body: Vote(slot: .max, ballot: Ballot(round: .max, proposer: Self.ids[0]), value: value).encoded,
            clusterID: Array(factory.authorityKey.prefix(8)), signer: signer)
        var builder = DatagramBuilder(clusterID: Array(factory.authorityKey.prefix(8)),
                                      sender: NodeID(bytes: signer.publicKey)!, maxSize: Datagram.defaultMaxSize)
        let certificateFits = builder.append(Record(type: RecordType.certificate.rawValue, value: certificate.encoded))
        let records = VoteBundle.records(of: [vote])
        #expect(records.count == 1)
        let voteFits = records.allSatisfy { builder.append($0) }
        #expect(certificateFits)
        #expect(voteFits, "the vote does not fit: lower maxAdmissionBatch")
        #expect((try? VoteBundle.decode(records[0].value)) == [vote], "the vote's body is over a statement's bound")
    }

    @Test("applying an admission adds the admissible members and skips voters and removed ones")
    func applying() {
        var agreed = AgreedState()
        agreed.apply(.found(founder: Self.ids[0], clusterVersion: "1.0.0"), slot: 0)
        agreed.apply(.admit([Self.ids[1]]), slot: 1)
        agreed.apply(.remove(Self.ids[1]), slot: 2)
        #expect(agreed.voidReason(of: .admit([Self.ids[0], Self.ids[1]]), slot: 3) != nil)
        let applied = agreed.apply(.admit([Self.ids[0], Self.ids[1], Self.ids[2], Self.ids[3]]), slot: 3)
        #expect(applied)
        #expect(agreed.voters == [Self.ids[0], Self.ids[2], Self.ids[3]])
        #expect(agreed.quorum == 2)
    }

    @Test("thirty members form in four decisions: the founding and admissions of 14, 14 and 1")
    func thirtyMembersFormInBatches() {
        var harness = DecisionHarness(count: 30)
        harness.run(for: .seconds(20))
        #expect(harness.logsAgree)
        for engine in harness.engines { #expect(engine!.agreed.voters.count == 30) }
        let admissions = harness.logs[0].compactMap { value -> Int? in
            if case .admit(let members) = value { members.count } else { nil }
        }
        #expect(admissions == [14, 14, 1])
    }
}
