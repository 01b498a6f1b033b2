import ChorusCore
import ChorusCrypto
import ChorusWire
import Foundation
import Testing

@testable import ChorusAgent

/// Every protocol state file, damaged the ways disks and crashes damage files (each bit flipped
/// in turn, cut at each length), stops the load with an error naming the file; it never loads a
/// vote, a decision, an incarnation or a drain that was not stored (issue 15: a flipped bit in a
/// stored vote loaded silently, a damaged incarnation crashed the agent). A missing `node.key`
/// beside stored state refuses to become a new identity.
@Suite struct DamagedStateTests {
    /// A data directory holding every state file, written through the agent's own code.
    static func populated() throws -> DataDirectory {
        let data = DataDirectory(path: FileManager.default.temporaryDirectory.appendingPathComponent("chorus-damaged-\(UUID().uuidString)").path)
        try data.prepare()
        let key = try data.loadOrCreateNodeKey()
        let id = NodeID(bytes: key.publicKey)!
        try data.storeIncarnation(7)
        try data.storeDraining(true)
        var store = DecisionStore(directory: data)
        let ballot = Ballot(round: 3, proposer: id)
        let value = DecisionValue.found(founder: id, clusterVersion: "1.0.0")
        let vote = SignedStatement.sign(kind: .vote, body: Vote(slot: 0, ballot: ballot, value: value).encoded,
                                        clusterID: Array(repeating: 1, count: 8), signer: key)
        try store.append(DecidedSlot(slot: 0, ballot: ballot, value: value, votes: [vote]))
        try store.store(AcceptorState(slot: 1, promised: Ballot(round: 4, proposer: id), highestRound: 4))
        try data.storeVoterNames(VoterNames([id: "node-1"]))
        return data
    }

    /// Loads every state file the way the agent does at start.
    static func loadAll(_ data: DataDirectory) throws {
        _ = try data.loadIncarnation()
        _ = try data.loadDraining()
        _ = try data.loadVoterNames()
        var store = DecisionStore(directory: data)
        _ = try store.load()
    }

    static let files = [DataDirectory.incarnationFileName, DataDirectory.servingFileName,
                        DecisionStore.logFileName, DecisionStore.acceptorFileName, DataDirectory.voterNamesFileName]

    @Test(arguments: files) func everyFlippedBitIsRefusedByName(_ file: String) throws {
        let data = try Self.populated()
        defer { try? FileManager.default.removeItem(atPath: data.path) }
        try Self.loadAll(data)
        let path = data.path + "/" + file
        let intact = try #require(try DurableFile.read(path))
        for bit in 0..<(intact.count * 8) {
            var damaged = intact
            damaged[bit / 8] ^= 1 << UInt8(bit % 8)
            try DurableFile.write(damaged, to: path, mode: 0o600)
            #expect(throws: DataDirectoryError.self, "\(file), bit \(bit)") { try Self.loadAll(data) }
            #expect(Self.error(loading: data).map { "\($0)" }?.contains(path) == true, "\(file), bit \(bit)")
        }
    }

    @Test(arguments: files) func everyCutIsRefusedByName(_ file: String) throws {
        let data = try Self.populated()
        defer { try? FileManager.default.removeItem(atPath: data.path) }
        let path = data.path + "/" + file
        let intact = try #require(try DurableFile.read(path))
        for length in 1..<intact.count {
            try DurableFile.write(Array(intact.prefix(length)), to: path, mode: 0o600)
            #expect(Self.error(loading: data).map { "\($0)" }?.contains(path) == true, "\(file) cut to \(length) bytes")
        }
    }

    @Test func aMissingNodeKeyBesideStoredStateIsNotANewIdentity() throws {
        let data = try Self.populated()
        defer { try? FileManager.default.removeItem(atPath: data.path) }
        try FileManager.default.removeItem(atPath: data.nodeKeyPath)
        #expect(throws: DataDirectoryError.self) { try data.loadOrCreateNodeKey() }
        #expect(!FileManager.default.fileExists(atPath: data.nodeKeyPath), "no new key was written")
    }

    static func error(loading data: DataDirectory) -> (any Error)? {
        do {
            try loadAll(data)
            return nil
        } catch {
            return error
        }
    }
}
