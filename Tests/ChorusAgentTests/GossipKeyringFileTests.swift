import ChorusCrypto
import Foundation
import Testing

@testable import ChorusAgent

/// `[gossip] keyring_file`: a secret, read as ssh reads keys.
@Suite struct GossipKeyringFileTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-keyring-\(UUID().uuidString)").path

    func write(_ text: String, mode: Int = 0o600) throws {
        try #require(FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]))
    }

    @Test func keysInOrderCommentsSkipped() throws {
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = Data(repeating: 1, count: 32).base64EncodedString(), second = Data(repeating: 2, count: 32).base64EncodedString()
        try write("# cluster keys\n\n  \(first)  \n\(second)\n\(first)\n")
        let keys = try GossipKeyringFile.load(path)
        #expect(keys.map(\.secret) == [[UInt8](repeating: 1, count: 32), [UInt8](repeating: 2, count: 32)])
        #expect(keys[0].id == SodiumGossipCipher.keyID(of: keys[0].secret))
    }

    @Test func refusedWhenOthersCanReadItOrItIsNotKeys() throws {
        defer { try? FileManager.default.removeItem(atPath: path) }
        let key = Data(repeating: 1, count: 32).base64EncodedString()
        try write(key + "\n", mode: 0o644)
        #expect(throws: DataDirectoryError.insecurePermissions(path: path, mode: 0o644)) { try GossipKeyringFile.load(path) }
        for text in ["# nothing\n", Data(repeating: 1, count: 16).base64EncodedString(), "\(key)\nnot-a-key\n"] {
            try? FileManager.default.removeItem(atPath: path)
            try write(text)
            #expect(throws: DataDirectoryError.self, "\(text)") { try GossipKeyringFile.load(path) }
        }
        try? FileManager.default.removeItem(atPath: path)
        #expect(throws: DataDirectoryError.self) { try GossipKeyringFile.load(path) }
    }
}
