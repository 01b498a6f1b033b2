import ChorusCore
import ChorusWire
import Foundation
import Testing

@testable import ChorusAgent

@Suite("Join endpoint", .serialized)
struct JoinEndpointTests {
    static func source() -> FakeStatusSource {
        FakeStatusSource(local: FakeStatusSource.member("node-a", seed: 1, isLocal: true), joined: true)
    }

    @Test func aJoinAnsweredByTheSeedReportsTheMembers() async throws {
        let source = Self.source()
        var seed = FakeStatusSource.member("node-b", seed: 2)
        seed.address = PeerAddress(ipv4: 127, 0, 0, 1, port: 7722)
        await source.answerJoins(with: [seed])
        try await withHTTPServer(source: source) { client in
            let response = try await client.request("/v1/join", method: "POST", token: testAdminToken,
                                                    json: #"{"addresses":["127.0.0.1:7722","[::1]:7724"]}"#)
            #expect(response.status == 200)
            #expect(try response.jsonObject()["members"] as? Int == 2)
        }
        let loopback6 = try #require(PeerAddress(ip: Array(repeating: 0, count: 15) + [1], port: 7724))
        #expect(await source.joins == [[PeerAddress(ipv4: 127, 0, 0, 1, port: 7722), loopback6]])
    }

    @Test func badRequestsAreRefusedBeforeAnythingIsSent() async throws {
        let source = Self.source()
        try await withHTTPServer(source: source) { client in
            let tokenless = try await client.request("/v1/join", method: "POST", json: #"{"addresses":["127.0.0.1:7722"]}"#)
            #expect(tokenless.status == 401)
            for body in [#"{"addresses":[]}"#, #"{"addresses":["no-port"]}"#, #"{"addresses":["127.0.0.1:99999"]}"#,
                         #"{"seeds":["127.0.0.1:7722"]}"#, "{\"addresses\":[" + Array(repeating: #""127.0.0.1:1""#, count: 17).joined(separator: ",") + "]}"] {
                let response = try await client.request("/v1/join", method: "POST", token: testAdminToken, json: body)
                #expect(response.status == 400, "\(body)")
            }
        }
        #expect(await source.joins.isEmpty)
    }
}
