import ChorusCore
import ChorusWire
import Foundation
import Testing

@testable import ChorusAgent

/// `GET /v1/rollout` and the rollout commands (SPEC §7, §13): names become ids, a malformed
/// request decides nothing, every change needs a token.
@Suite("Rollout endpoint", .serialized)
struct RolloutEndpointTests {
    static let ids = (1...3).map { NodeID(bytes: Array(repeating: UInt8($0), count: 32))! }

    static func source() -> FakeStatusSource {
        FakeStatusSource(local: FakeStatusSource.member("a", seed: 1, isLocal: true),
                         others: [FakeStatusSource.member("b", seed: 2), FakeStatusSource.member("c", seed: 3)], joined: true)
    }

    @Test func noRolloutYet() async throws {
        try await withHTTPServer(source: Self.source()) { client in
            let response = try await client.request("/v1/rollout")
            #expect(response.status == 200)
            let body = try response.jsonObject()
            #expect(body["state"] as? String == "none")
            #expect(body["maxUnavailable"] as? Int == 1)
            #expect((body["slots"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func aRolloutUnderWayNamesItsMembersAndSlots() async throws {
        let source = Self.source()
        var cluster = FakeStatusSource.stableCluster
        var agreed = cluster.agreed
        agreed.apply(.startRollout(RolloutPlan(targetVersion: "1.3.0", maxUnavailable: 1, approve: true, order: [Self.ids[2]])), slot: 3)
        agreed.apply(.grantSlot(DisruptionSlot(holder: Self.ids[2], term: 1, purpose: .rollout(attempt: 1))), slot: 4)
        cluster.agreed = agreed
        await source.setCluster(cluster)
        try await withHTTPServer(source: source) { client in
            let body = try await client.request("/v1/rollout").jsonObject()
            #expect(body["state"] as? String == "running")
            #expect(body["targetVersion"] as? String == "1.3.0" && body["fromVersion"] as? String == "1.2.3")
            #expect(body["approve"] as? Bool == true)
            #expect(body["inTurn"] as? [String] == ["c"])
            #expect(body["remaining"] as? [String] == ["a", "b"])
            let slots = try #require(body["slots"] as? [[String: Any]])
            #expect(slots.count == 1 && slots[0]["holder"] as? String == "c" && slots[0]["purpose"] as? String == "rollout")
        }
    }

    /// `maxUnavailable` is the budget in force, which an abort (or the end) sets back to 1: a
    /// FleetLock client reading it must not count on the finished plan's 2.
    @Test func anAbortedRolloutShowsTheBudgetBackToOne() async throws {
        let source = Self.source()
        var cluster = FakeStatusSource.stableCluster
        var agreed = cluster.agreed
        agreed.apply(.startRollout(RolloutPlan(targetVersion: "1.3.0", maxUnavailable: 2, approve: false, order: [])), slot: 3)
        cluster.agreed = agreed
        await source.setCluster(cluster)
        try await withHTTPServer(source: source) { client in
            let body = try await client.request("/v1/rollout").jsonObject()
            #expect(body["maxUnavailable"] as? Int == 2)
        }
        agreed.apply(.abortRollout, slot: 4)
        cluster.agreed = agreed
        await source.setCluster(cluster)
        try await withHTTPServer(source: source) { client in
            let body = try await client.request("/v1/rollout").jsonObject()
            #expect(body["state"] as? String == "aborted")
            #expect(body["maxUnavailable"] as? Int == 1)
        }
    }

    @Test func startResolvesNamesAndCarriesThePlan() async throws {
        let source = Self.source()
        await source.answerCommands(with: .committed(slot: 4, value: .startRollout(RolloutPlan(
            targetVersion: "1.3.0", maxUnavailable: 2, approve: true, order: [Self.ids[2], Self.ids[0]]))))
        try await withHTTPServer(source: source) { client in
            let refused = try await client.request("/v1/rollout/start", method: "POST", json: #"{"to":"1.3.0"}"#)
            #expect(refused.status == 401)
            let response = try await client.request(
                "/v1/rollout/start", method: "POST", token: testAdminToken,
                json: #"{"to":"1.3.0","maxUnavailable":2,"order":["c","a"],"approve":true,"unknown":1}"#)
            #expect(response.status == 200)
        }
        #expect(await source.commands == [.startRollout(RolloutPlan(targetVersion: "1.3.0", maxUnavailable: 2, approve: true,
                                                                     order: [Self.ids[2], Self.ids[0]]))])
    }

    @Test(arguments: [
        #"{"to":"1.3"}"#, #"{"to":"1.3.0","maxUnavailable":0}"#, #"{"to":"1.3.0","maxUnavailable":17}"#,
        #"{"to":"1.3.0","order":["a","a"]}"#, #"{}"#, "not json",
    ])
    func aMalformedStartDecidesNothing(body: String) async throws {
        let source = Self.source()
        try await withHTTPServer(source: source) { client in
            let response = try await client.request("/v1/rollout/start", method: "POST", token: testAdminToken, json: body)
            #expect(response.status == 400)
            #expect(try response.jsonObject()["error"] as? String == "invalid-request")
        }
        #expect(await source.commands.isEmpty)
    }

    /// As `DELETE /v1/members/{name}`: a name nobody holds is 404, and nothing is decided.
    @Test func anUnknownNameIsNotFound() async throws {
        let source = Self.source()
        try await withHTTPServer(source: source) { client in
            let start = try await client.request("/v1/rollout/start", method: "POST", token: testAdminToken,
                                                 json: #"{"to":"1.3.0","order":["nobody"]}"#)
            #expect(start.status == 404)
            let release = try await client.request("/v1/rollout/release", method: "POST", token: testAdminToken, json: #"{"name":""}"#)
            #expect(release.status == 404)
            #expect(try release.jsonObject()["error"] as? String == "unknown-member")
        }
        #expect(await source.commands.isEmpty)
    }

    /// Names read as the member commands read them: a host back with a new key shares its old
    /// name, so the name alone is ambiguous (409) and 8 or more hex digits of the id pick one.
    @Test func namesakesAreNamedByID() async throws {
        let source = FakeStatusSource(local: FakeStatusSource.member("a", seed: 1, isLocal: true),
                                      others: [FakeStatusSource.member("b", seed: 2, status: .dead), FakeStatusSource.member("b", seed: 4)],
                                      joined: true)
        await source.answerCommands(with: .committed(slot: 4, value: .releaseSlot(holder: Self.ids[1], term: 1)))
        try await withHTTPServer(source: source) { client in
            let ambiguous = try await client.request("/v1/rollout/release", method: "POST", token: testAdminToken, json: #"{"name":"b"}"#)
            #expect(ambiguous.status == 409)
            #expect(try ambiguous.jsonObject()["error"] as? String == "ambiguous-member")
            let byID = try await client.request("/v1/rollout/release", method: "POST", token: testAdminToken,
                                                json: #"{"name":"\#(Self.ids[1].hex.prefix(8))"}"#)
            #expect(byID.status == 200)
        }
        #expect(await source.commands == [.releaseSlot(of: Self.ids[1])])
    }

    @Test func pauseResumeAbortAndReleaseAreCommands() async throws {
        let source = Self.source()
        await source.answerCommands(with: .rejected(reason: "no rollout is running"))
        try await withHTTPServer(source: source) { client in
            for path in ["pause", "resume", "abort"] {
                let response = try await client.request("/v1/rollout/\(path)", method: "POST", token: testAdminToken)
                #expect(response.status == 409)
                #expect(try response.jsonObject()["reason"] as? String == "no rollout is running")
            }
            let release = try await client.request("/v1/rollout/release", method: "POST", token: testAdminToken, json: #"{"name":"b"}"#)
            #expect(release.status == 409)
        }
        #expect(await source.commands == [.pauseRollout, .resumeRollout, .abortRollout, .releaseSlot(of: Self.ids[1])])
    }
}
