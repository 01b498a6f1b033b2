import ChorusCore
import ChorusCrypto
import ChorusWire
import Foundation
import Testing

@testable import ChorusAgent

/// The decision log and acceptor state survive a restart exactly, and a damaged file is an error,
/// never an empty log (a node that forgot its votes could vote twice).
@Suite("Decision store")
struct DecisionStoreTests {
    func directory() throws -> DataDirectory {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-store-\(UUID().uuidString)").path
        let directory = DataDirectory(path: path)
        try directory.prepare()
        return directory
    }

    func decided(_ slot: UInt64, _ value: DecisionValue, signer: Ed25519KeyPair) -> DecidedSlot {
        let ballot = Ballot(round: 3, proposer: NodeID(bytes: signer.publicKey)!)
        let vote = SignedStatement.sign(kind: .vote, body: Vote(slot: slot, ballot: ballot, value: value).encoded,
                                        clusterID: Array(repeating: 1, count: 8), signer: signer)
        return DecidedSlot(slot: slot, ballot: ballot, value: value, votes: [vote])
    }

    @Test func logAndAcceptorRoundTrip() throws {
        let data = try directory()
        defer { try? FileManager.default.removeItem(atPath: data.path) }
        let key = Ed25519KeyPair.generate()
        let id = NodeID(bytes: key.publicKey)!
        var store = DecisionStore(directory: data)
        #expect(try store.load() == DurableDecisions())
        let log = [decided(0, .found(founder: id, clusterVersion: "1.0.0"), signer: key),
                   decided(1, .failTasks(term: 2, reason: "exit 3: schema locked"), signer: key)]
        for entry in log { try store.append(entry) }
        let acceptor = AcceptorState(slot: 2, promised: Ballot(round: 9, proposer: id),
                                     accepted: .init(ballot: Ballot(round: 8, proposer: id), value: .approveUpgrade(targetVersion: "1.1.0")),
                                     highestRound: 9)
        try store.store(acceptor)
        var reopened = DecisionStore(directory: data)
        #expect(try reopened.load() == DurableDecisions(log: log, acceptor: acceptor))
    }

    @Test func aDamagedLogIsAnErrorNotAnEmptyLog() throws {
        let data = try directory()
        defer { try? FileManager.default.removeItem(atPath: data.path) }
        var store = DecisionStore(directory: data)
        try store.append(decided(0, .startUpgrade, signer: Ed25519KeyPair.generate()))
        let path = data.path + "/" + DecisionStore.logFileName
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes.removeLast(10)
        try bytes.write(to: URL(fileURLWithPath: path))
        var reopened = DecisionStore(directory: data)
        #expect(throws: DataDirectoryError.self) { try reopened.load() }
    }

    @Test func aLogFromBeforeVoteBundlesIsRefusedByName() throws {
        let data = try directory()
        defer { try? FileManager.default.removeItem(atPath: data.path) }
        let path = data.path + "/" + DecisionStore.logFileName
        try Data(DecisionStore.formatOneMagic + [0, 0, 0, 0, 0, 0, 0, 0]).write(to: URL(fileURLWithPath: path))
        var store = DecisionStore(directory: data)
        #expect {
            try store.load()
        } throws: { error in
            "\(error)".contains("format 1")
        }
    }
}
