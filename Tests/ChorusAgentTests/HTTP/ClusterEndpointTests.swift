import ChorusCore
import ChorusWire
import Foundation
import Testing

@testable import ChorusAgent

@Suite("Cluster endpoint: state, commands, Jira paths, events", .serialized)
struct ClusterEndpointTests {
    static func source() -> FakeStatusSource {
        FakeStatusSource(
            local: FakeStatusSource.member("node-b", seed: 2, isLocal: true),
            others: [FakeStatusSource.member("node-a", seed: 1, status: .dead)], joined: true)
    }

    @Test func clusterHasTheSpecFields() async throws {
        try await withHTTPServer(source: Self.source()) { client in
            let response = try await client.request("/v1/cluster")
            #expect(response.status == 200)
            let body = try response.jsonObject()
            #expect(Set(body.keys).isSuperset(of: [
                "state", "clusterVersion", "originalVersion", "targetVersion", "voters", "quorum", "taskRunner",
                "maintenance", "banner", "converged",
            ]))
            #expect(body["taskRunner"] is NSNull)
            #expect(body["state"] as? String == "STABLE")
            #expect(body["clusterVersion"] as? String == "1.2.3")
            #expect(body["voters"] as? [String] == ["a", "b", "c"])
            #expect(body["quorum"] as? Int == 2)
            #expect(body["converged"] as? Bool == true)
            let maintenance = try #require(body["maintenance"] as? [String: Any])
            #expect(maintenance["enabled"] as? Bool == false)
            #expect(maintenance["message"] is NSNull)
        }
    }

    @Test func mutationsNeedTheAdminToken() async throws {
        let source = Self.source()
        try await withHTTPServer(source: source) { client in
            let missing = try await client.request("/v1/upgrade/start", method: "POST")
            #expect(missing.status == 401)
            #expect(try missing.jsonObject()["error"] as? String == "unauthorized")
            let wrong = try await client.request("/v1/upgrade/start", method: "POST", token: "guess")
            #expect(wrong.status == 401)
            let jira = try await client.request("/rest/api/2/cluster/zdu/approve", method: "POST")
            #expect(jira.status == 401)
        }
        #expect(await source.commands.isEmpty)
    }

    @Test func commandOutcomesMapToStatusCodes() async throws {
        let source = Self.source()
        try await withHTTPServer(source: source) { client in
            await source.answerCommands(with: .committed(slot: 7, value: .startUpgrade))
            let committed = try await client.request("/v1/upgrade/start", method: "POST", token: testAdminToken)
            #expect(committed.status == 200)
            #expect(try committed.jsonObject()["decision"] as? String == "start")
            #expect(try committed.jsonObject()["slot"] as? Int == 7)

            await source.answerCommands(with: .rejected(reason: "approve needs READY_TO_RUN_UPGRADE_TASKS"))
            let rejected = try await client.request("/v1/upgrade/approve", method: "POST", token: testAdminToken)
            #expect(rejected.status == 409)
            #expect(try rejected.jsonObject()["reason"] as? String == "approve needs READY_TO_RUN_UPGRADE_TASKS")

            await source.answerCommands(with: .noQuorum)
            let noQuorum = try await client.request("/rest/api/2/cluster/zdu/retryUpgrade", method: "POST", token: testAdminToken)
            #expect(noQuorum.status == 503)
            let messages = try noQuorum.jsonObject()["errorMessages"] as? [String]
            #expect(messages?.first?.hasPrefix("no majority of voters decided in time") == true, "Jira's error shape on /rest")
        }
        #expect(await source.commands == [.startUpgrade, .approveUpgrade, .retryUpgrade])
    }

    @Test func removingAMemberByName() async throws {
        let source = Self.source()
        try await withHTTPServer(source: source) { client in
            let unknown = try await client.request("/v1/members/nobody", method: "DELETE", token: testAdminToken)
            #expect(unknown.status == 404)
            await source.answerCommands(with: .committed(slot: 4, value: .remove(FakeStatusSource.member("node-a", seed: 1).id)))
            let removed = try await client.request("/v1/members/node-a", method: "DELETE", token: testAdminToken)
            #expect(removed.status == 200)
            let kept = try await client.request("/v1/members/node-a?keep-key=true", method: "DELETE", token: testAdminToken)
            #expect(kept.status == 200)
        }
        let id = FakeStatusSource.member("node-a", seed: 1).id
        #expect(await source.commands == [.removeMember(id, keepKey: false), .removeMember(id, keepKey: true)])
    }

    @Test func revokingAMemberAndAnOperator() async throws {
        let source = Self.source()
        let id = FakeStatusSource.member("node-a", seed: 1).id
        try await withHTTPServer(source: source) { client in
            #expect(try await client.request("/v1/members/nobody/revoke", method: "POST", token: testAdminToken).status == 404)
            #expect(try await client.request("/v1/members/node-a/revoke", method: "POST").status == 401)
            await source.answerCommands(with: .committed(slot: 5, value: .revoke(id)))
            let revoked = try await client.request("/v1/members/node-a/revoke", method: "POST", token: testAdminToken)
            #expect(revoked.status == 200)
            #expect(try revoked.jsonObject()["decision"] as? String == "revoke")

            let tooLong = String(repeating: "x", count: OperatorCredential.maxNameLength + 1)
            #expect(try await client.request("/v1/operators/\(tooLong)/revoke", method: "POST", token: testAdminToken).status == 400)
            // What schemathesis sent (`%C2%9B`), control characters, an encoded
            // '/', broken UTF-8, a space: the rules apply to the name the segment decodes to.
            for refusedName in ["%01a", "%C3%97%C2%9B", "a%2Fb", "%FF", "ana%20maria"] {
                let refused = try await client.request("/v1/operators/\(refusedName)/revoke", method: "POST", token: testAdminToken)
                #expect(refused.status == 400, "\(refusedName)")
            }
            await source.answerCommands(with: .committed(slot: 6, value: .revokeOperator(name: "alice", issuedBefore: 1)))
            #expect(try await client.request("/v1/operators/%61lice/revoke", method: "POST", token: testAdminToken).status == 200)
        }
        let commands = await source.commands
        #expect(commands.first == .revokeMember(id))
        guard commands.count == 2, case .revokeOperator(let name, let issuedBefore) = commands[1] else {
            Issue.record("expected a member and an operator revocation, got \(commands)")
            return
        }
        #expect(name == "alice", "the segment percent-decoded")
        #expect(abs(Double(issuedBefore) - Date().timeIntervalSince1970) < 60, "revokes what was issued up to now")
    }

    @Test func incompatibleNodeFailsTheLoadBalancerCheck() async throws {
        let source = Self.source()
        var snapshot = FakeStatusSource.stableCluster
        snapshot.localIncompatibility = "major version 2 differs from the cluster's 1"
        await source.setCluster(snapshot)
        try await withHTTPServer(source: source) { client in
            let response = try await client.request("/v1/health/lb")
            #expect(response.status == 503)
            #expect(try response.jsonObject()["reason"] as? String == "incompatible")
        }
    }

    @Test func eventsStreamAndResumeFromLastEventID() async throws {
        let journal = EventJournal(node: "node-b")
        journal.record(.memberJoin, member: MemberResponse(FakeStatusSource.member("node-a", seed: 1)))
        journal.record(.upgradeStarted, cluster: ClusterResponse(FakeStatusSource.stableCluster))
        journal.record(.upgradeCancelled, cluster: ClusterResponse(FakeStatusSource.stableCluster))
        try await withHTTPServer(source: Self.source(), journal: journal) { client in
            let stream = try await client.events("/v1/events", headers: ["Last-Event-ID": "1"], count: 2)
            #expect(stream.contentType == "text/event-stream")
            #expect(stream.events.map(\.lastEventID) == ["2", "3"], "\(stream.events)")
            #expect(stream.events.map(\.name) == ["upgrade-started", "upgrade-cancelled"])
        }
    }
}

@Suite("Decision log endpoint")
struct DecisionLogEndpointTests {
    @Test func servesTheLogWithEachSlotsVoters() async throws {
        let ids = (1...3).map { NodeID(bytes: Array(repeating: UInt8($0), count: 32))! }
        let vote = { (id: NodeID) in SignedStatement(kind: 9, origin: id, body: [], signature: []) }
        let log = [
            DecidedSlot(slot: 0, ballot: Ballot(round: 0, proposer: ids[0]), value: .found(founder: ids[0], clusterVersion: "1.0.0"),
                        votes: [vote(ids[0])]),
            DecidedSlot(slot: 1, ballot: Ballot(round: 1, proposer: ids[0]), value: .admit([ids[1]]), votes: [vote(ids[0])]),
            DecidedSlot(slot: 2, ballot: Ballot(round: 3, proposer: ids[1]), value: .startUpgrade,
                        votes: [vote(ids[0]), vote(ids[1])]),
        ]
        let source = ClusterEndpointTests.source()
        await source.setLog(log)
        try await withHTTPServer(source: source) { client in
            let whole = try await client.request("/v1/decisions")
            #expect(whole.status == 200)
            let slots = try #require(try JSONSerialization.jsonObject(with: whole.body) as? [[String: Any]])
            #expect(slots.map { $0["slot"] as? Int } == [0, 1, 2])
            #expect(slots.map { $0["decision"] as? String } == ["found", "admit", "start"])
            #expect(slots[1]["members"] as? [String] == [ids[1].hex])
            #expect(slots[2]["members"] as? [String] == [])
            #expect(slots[2]["votes"] as? [String] == [ids[0].hex, ids[1].hex])
            #expect(slots[2]["ballotRound"] as? Int == 3)
            #expect(slots[2]["ballotProposer"] as? String == ids[1].hex)
            let tail = try await client.request("/v1/decisions?from=2")
            let rest = try #require(try JSONSerialization.jsonObject(with: tail.body) as? [[String: Any]])
            #expect(rest.map { $0["slot"] as? Int } == [2])
            #expect(rest[0]["value"] as? String == slots[2]["value"] as? String)
        }
    }
}
