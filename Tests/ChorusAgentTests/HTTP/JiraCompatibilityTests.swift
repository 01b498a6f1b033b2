import ChorusCore
import ChorusWire
import Foundation
import Testing

@testable import ChorusAgent

/// The /rest/api/2 paths as Jira scripts and typed clients read them (SPEC §7; issue 16): the
/// status codes Atlassian's automation requires, integer build numbers, every node field with
/// Jira's type, and refusals in `errorMessages`.
@Suite("Jira compatibility", .serialized)
struct JiraCompatibilityTests {
    static func source() -> FakeStatusSource {
        var local = FakeStatusSource.member("node-b", seed: 2, isLocal: true)
        local.address = PeerAddress(ip: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], port: 7720)!
        local.statusChangedAt = Instant(nanoseconds: 2_500_000_000)
        return FakeStatusSource(
            local: local,
            others: [FakeStatusSource.member("node-a", seed: 1, status: .dead),
                     FakeStatusSource.member("node-c", seed: 3, serving: .draining),
                     FakeStatusSource.member("node-d", seed: 4, status: .suspect)],
            joined: true)
    }

    @Test func stateHasAnIntegerBuildNumber() async throws {
        try await withHTTPServer(source: Self.source()) { client in
            let state = try await client.request("/rest/api/2/cluster/zdu/state").jsonObject()
            #expect(state["state"] as? String == "STABLE")
            let build = try #require(state["build"] as? [String: Any])
            #expect(build["version"] as? String == "1.2.3")
            #expect(build["buildNumber"] as? Int == 1_002_003)
        }
    }

    /// Before the founding decision reached this node nothing is agreed: its own version, not "".
    @Test func stateBeforeAnythingIsAgreedNamesThisNodesBuild() async throws {
        let source = Self.source()
        await source.setCluster(ClusterSnapshot(status: UpgradeStatus(state: .stable), agreed: AgreedState(), voterNames: [],
                                                taskRunner: nil, converged: false, decidedSlots: 0, localIncompatibility: nil))
        try await withHTTPServer(source: source) { client in
            let build = try #require(try await client.request("/rest/api/2/cluster/zdu/state").jsonObject()["build"] as? [String: Any])
            #expect(build["version"] as? String == "1.2.3")
            #expect(build["buildNumber"] as? Int == 1_002_003)
        }
    }

    @Test func nodesCarryEveryJiraFieldWithItsType() async throws {
        try await withHTTPServer(source: Self.source()) { client in
            let body = try await client.request("/rest/api/2/cluster/nodes").body
            let nodes = try #require(JSONSerialization.jsonObject(with: body) as? [[String: Any]])
            #expect(nodes.map { $0["nodeId"] as? String } == ["node-a", "node-b", "node-c", "node-d"])
            #expect(nodes.map { $0["state"] as? String } == ["OFFLINE", "ACTIVE", "PASSIVE", "ACTIVE"])
            #expect(nodes.map { $0["alive"] as? Bool } == [false, true, true, true])
            #expect(nodes.map { $0["ip"] as? String } == ["10.0.0.1", "0:0:0:0:0:0:0:1", "10.0.0.3", "10.0.0.4"])
            for node in nodes {
                #expect(node["cacheListenerPort"] as? Int == 7720)
                #expect(node["nodeBuildNumber"] as? Int == 1_002_003)
                #expect(node["nodeVersion"] as? String == "1.2.3")
                #expect(node["lastStateChangeTimestamp"] is Int)
            }
            #expect(nodes[1]["lastStateChangeTimestamp"] as? Int == 1_700_000_002_500, "the core's instant on the wall clock")
        }
    }

    @Test func commandsAnswerWhatAtlassiansAutomationRequires() async throws {
        let source = Self.source()
        try await withHTTPServer(source: source) { client in
            for (path, status) in [("start", 201), ("cancel", 200), ("approve", 200), ("retryUpgrade", 200)] {
                await source.answerCommands(with: .committed(slot: 4, value: .startUpgrade))
                let answer = try await client.request("/rest/api/2/cluster/zdu/\(path)", method: "POST",
                                                      authorization: "Basic " + Data("jira:\(testAdminToken)".utf8).base64EncodedString())
                #expect(answer.status == status, "\(path)")
                #expect(answer.body.isEmpty, "\(path): Jira answers with no body")
            }
        }
        #expect(await source.commands == [.startUpgrade, .cancelUpgrade, .approveUpgrade, .retryUpgrade])
    }

    /// atlassian-python-api raises with the `errorMessages` it reads; any other shape reaches the
    /// user as "Unknown error".
    @Test func refusalsCarryErrorMessages() async throws {
        let source = Self.source()
        try await withHTTPServer(source: source) { client in
            await source.answerCommands(with: .rejected(reason: "an upgrade is already in progress"))
            let conflict = try await client.request("/rest/api/2/cluster/zdu/start", method: "POST", token: testAdminToken)
            #expect(conflict.status == 409)
            #expect(try conflict.jsonObject()["errorMessages"] as? [String] == ["an upgrade is already in progress"])
            #expect(try conflict.jsonObject()["errors"] as? [String: String] == [:])
            let unauthorized = try await client.request("/rest/api/2/cluster/zdu/approve", method: "POST")
            #expect(unauthorized.status == 401)
            #expect((try unauthorized.jsonObject()["errorMessages"] as? [String])?.isEmpty == false)
            let unknown = try await client.request("/rest/api/2/cluster/zdu/nothing")
            #expect(unknown.status == 404)
            #expect(try unknown.jsonObject()["errorMessages"] != nil)
            let v1 = try await client.request("/v1/upgrade/start", method: "POST", token: testAdminToken)
            #expect(try v1.jsonObject()["error"] as? String == "conflict", "/v1 keeps its own shape")
        }
    }

    /// A member's heartbeat may carry any version: numbers no build number can hold give 0, not a crash.
    @Test func extremeVersionsGiveNoBuildNumber() {
        #expect(JiraCompatibilityRoutes.buildNumber(of: "10.3.5") == 10_003_005)
        #expect(JiraCompatibilityRoutes.buildNumber(of: "\(Int.max).0.0") == 0)
        #expect(JiraCompatibilityRoutes.buildNumber(of: "1.1000.0") == 0)
        #expect(JiraCompatibilityRoutes.buildNumber(of: "nightly") == 0)
    }
}
