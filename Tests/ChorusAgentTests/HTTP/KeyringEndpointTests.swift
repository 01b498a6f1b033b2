import ChorusCore
import ChorusCrypto
import ChorusWire
import Foundation
import Testing

@testable import ChorusAgent

/// The keyring endpoint (SPEC §2 Confidentiality): reads are open, so no read may show a key;
/// changes are quorum decisions behind the admin token.
@Suite("Keyring endpoint", .serialized)
struct KeyringEndpointTests {
    static let secret = [UInt8](repeating: 7, count: 32)
    static let key = SodiumGossipCipher.key(secret)
    static let base64 = Data(secret).base64EncodedString()
    static let secretHex = Hex.encode(secret)

    static func source() -> FakeStatusSource {
        FakeStatusSource(local: FakeStatusSource.member("node-b", seed: 2, isLocal: true), joined: true)
    }

    @Test func readsNameKeysByIdOnly() async throws {
        let source = Self.source()
        var agreed = FakeStatusSource.stableCluster.agreed
        let installed = SodiumGossipCipher.key([UInt8](repeating: 9, count: 32))
        agreed.apply(.installKey(installed), slot: 3)
        agreed.apply(.useKey(installed.id), slot: 4)
        agreed.apply(.removeKey(Self.key.id), slot: 5)
        var cluster = FakeStatusSource.stableCluster
        cluster.agreed = agreed
        await source.setCluster(cluster)
        await source.setKeyring(SealingKeyring(configured: [Self.key], agreed: agreed.keyring, granted: nil))
        await source.setLog([DecidedSlot(slot: 3, ballot: Ballot(round: 1, proposer: FakeStatusSource.member("a", seed: 1).id),
                                         value: .installKey(installed), votes: [])])
        try await withHTTPServer(source: source) { client in
            let ring = try await client.request("/v1/keyring")
            #expect(ring.status == 200)
            let object = try ring.jsonObject()
            #expect(object["sealed"] as? Bool == true)
            #expect(object["primary"] as? String == installed.id.hex)
            #expect(object["removed"] as? [String] == [Self.key.id.hex])
            let keys = try #require(object["keys"] as? [[String: Any]])
            #expect(keys.map { $0["id"] as? String } == [installed.id.hex])
            #expect(keys.first?["source"] as? String == "installed")
            // Neither the keyring nor the decision log shows a secret, in any encoding.
            for path in ["/v1/keyring", "/v1/decisions", "/v1/cluster"] {
                let body = String(decoding: try await client.request(path).body, as: UTF8.self)
                for secret in [Self.secretHex, Hex.encode(installed.secret), Data(installed.secret).base64EncodedString()] {
                    #expect(!body.contains(secret), "\(path) shows a key: \(body)")
                }
            }
        }
    }

    @Test func changesAreDecisionsBehindTheToken() async throws {
        let source = Self.source()
        try await withHTTPServer(source: source) { client in
            await source.answerCommands(with: .committed(slot: 3, value: .installKey(Self.key)))
            let install = try await client.request("/v1/keyring/install", method: "POST", token: testAdminToken,
                                                   json: "{\"key\": \"\(Self.base64)\"}")
            #expect(install.status == 200)
            #expect(try install.jsonObject()["decision"] as? String == "install-key")
            let byID = try await client.request("/v1/keyring/use", method: "POST", token: testAdminToken, json: "{\"id\": \"\(Self.key.id.hex)\"}")
            #expect(byID.status == 200)
            let byKey = try await client.request("/v1/keyring/remove", method: "POST", token: testAdminToken, json: "{\"key\": \"\(Self.base64)\"}")
            #expect(byKey.status == 200)
            for body in ["{}", "{\"key\": \"c2hvcnQ=\"}", "{\"key\": \"not base64!\"}"] {
                let refused = try await client.request("/v1/keyring/install", method: "POST", token: testAdminToken, json: body)
                #expect(refused.status == 400, "\(body)")
            }
            #expect(try await client.request("/v1/keyring/use", method: "POST", token: testAdminToken, json: "{\"id\": \"xyz\"}").status == 400)
            let unauthorized = try await client.request("/v1/keyring/install", method: "POST", json: "{\"key\": \"\(Self.base64)\"}")
            #expect(unauthorized.status == 401)
        }
        #expect(await source.commands == [.installKey(Self.key), .useKey(Self.key.id), .removeKey(Self.key.id)])
    }
}
