import ChorusCore
import Foundation
import Testing

@testable import ChorusAgent

@Suite("Node endpoint: drain, undrain, leave", .serialized)
struct NodeEndpointTests {
    static func source() -> FakeStatusSource {
        FakeStatusSource(local: FakeStatusSource.member("node-b", seed: 2, isLocal: true), joined: true)
    }

    @Test func drainTurnsTheLoadBalancerCheckAwayUntilUndrained() async throws {
        try await withHTTPServer(source: Self.source()) { client in
            #expect(try await client.request("/v1/health/lb").status == 200)
            let drained = try await client.request("/v1/node/drain", method: "POST", token: testAdminToken)
            #expect(drained.status == 200)
            #expect(try drained.jsonObject()["serving"] as? String == "draining")
            let refused = try await client.request("/v1/health/lb")
            #expect(refused.status == 503)
            #expect(try refused.jsonObject()["reason"] as? String == "draining")
            #expect(try await client.request("/v1/self").jsonObject()["serving"] as? String == "draining")

            let undrained = try await client.request("/v1/node/undrain", method: "POST", token: testAdminToken)
            #expect(try undrained.jsonObject()["serving"] as? String == "serving")
            #expect(try await client.request("/v1/health/lb").status == 200)
        }
    }

    @Test func nodeMutationsNeedTheAdminToken() async throws {
        let source = Self.source()
        try await withHTTPServer(source: source) { client in
            for path in ["/v1/node/drain", "/v1/node/undrain", "/v1/leave"] {
                let response = try await client.request(path, method: "POST")
                #expect(response.status == 401, "\(path)")
            }
            let check = try await client.request("/v1/health/lb")
            #expect(check.status == 200)
        }
        #expect(await source.leaveRequests == 0)
    }

    @Test func leaveAnswersAcceptedAndStartsTheLeave() async throws {
        let source = Self.source()
        try await withHTTPServer(source: source) { client in
            let response = try await client.request("/v1/leave", method: "POST", token: testAdminToken)
            #expect(response.status == 202)
            #expect(try response.jsonObject()["status"] as? String == "leaving")
            #expect(try response.jsonObject()["node"] as? String == "node-b")
            let deadline = ContinuousClock.now + .seconds(5)
            while await source.leaveRequests == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        #expect(await source.leaveRequests == 1)
    }
}
