import ChorusCore
import Foundation
import Testing

@testable import ChorusAgent

@Suite("Local HTTP endpoint", .serialized)
struct HTTPEndpointTests {
    static func source(joined: Bool = false) -> FakeStatusSource {
        FakeStatusSource(
            local: FakeStatusSource.member("node-b", seed: 2, isLocal: true),
            others: [
                FakeStatusSource.member("node-c", seed: 3, status: .suspect),
                FakeStatusSource.member("node-a", seed: 1, status: .dead, serving: .draining),
            ],
            joined: joined)
    }

    @Test func membersHaveExactFieldsSortedByName() async throws {
        try await withHTTPServer(source: Self.source()) { client in
            let response = try await client.request("/v1/members")
            #expect(response.status == 200)
            #expect(response.contentType == "application/json")
            let members = try #require(JSONSerialization.jsonObject(with: response.body) as? [[String: Any]])
            #expect(members.map { $0["name"] as? String } == ["node-a", "node-b", "node-c"])
            for member in members {
                #expect(Set(member.keys) == [
                    "name", "id", "address", "status", "version", "incarnation", "serving", "voter", "protocolVersion",
                    "certificateExpiresAt", "known", "health",
                ])
            }
            let first = members[0]
            #expect(first["id"] as? String == String(repeating: "01", count: 32))
            #expect(first["address"] as? String == "10.0.0.1:7720")
            #expect(first["status"] as? String == "dead")
            #expect(first["version"] as? String == "1.2.3")
            #expect(first["incarnation"] as? Int == 1)
            #expect(first["serving"] as? String == "draining")
            #expect(first["voter"] as? Bool == true)
            #expect(first["protocolVersion"] as? Int == 1)
            #expect(first["known"] as? Bool == true)
            #expect(first["health"] as? String == "unknown")
            #expect(members[2]["status"] as? String == "suspect")
        }
    }

    @Test func selfDescribesTheLocalNode() async throws {
        try await withHTTPServer(source: Self.source()) { client in
            let node = try await client.request("/v1/self").jsonObject()
            #expect(Set(node.keys) == ["name", "id", "address", "version", "incarnation", "serving", "status", "protocolVersion", "voter",
                                       "certificateExpiresAt", "known", "health"])
            #expect(node["name"] as? String == "node-b")
            #expect(node["id"] as? String == String(repeating: "02", count: 32))
            #expect(node["address"] as? String == "10.0.0.2:7720")
            #expect(node["serving"] as? String == "serving")
            #expect(node["status"] as? String == "alive")
        }
    }

    @Test func healthNamesTheNode() async throws {
        try await withHTTPServer(source: Self.source()) { client in
            let response = try await client.request("/v1/health")
            #expect(response.status == 200)
            let health = try response.jsonObject()
            #expect(health["status"] as? String == "ok")
            #expect(health["node"] as? String == "node-b")
            let checks = try #require(health["checks"] as? [[String: String]])
            #expect(checks.map { $0["name"] } == ["certificates"] && checks.map { $0["status"] } == ["passing"])
            #expect(try await client.request("/v1/health", method: "HEAD").status == 200)
        }
    }

    /// From 14 days before a member's certificate expires, the health check says so, by name;
    /// the agent is still alive, so the status code stays 200.
    @Test func healthFailsItsCertificateCheckFromTwoWeeksBeforeExpiry() async throws {
        let now = UInt64(Date().timeIntervalSince1970)
        var soon = FakeStatusSource.member("node-c", seed: 3)
        soon.certificateExpiresAt = now + 3 * 86_400 + 600
        var later = FakeStatusSource.member("node-a", seed: 1)
        later.certificateExpiresAt = now + 15 * 86_400
        let source = FakeStatusSource(local: FakeStatusSource.member("node-b", seed: 2, isLocal: true), others: [later, soon])
        try await withHTTPServer(source: source) { client in
            let response = try await client.request("/v1/health")
            #expect(response.status == 200)
            let health = try response.jsonObject()
            #expect(health["status"] as? String == "degraded")
            let check = try #require((health["checks"] as? [[String: String]])?.first)
            #expect(check["status"] == "failing")
            #expect(check["detail"]?.hasPrefix("node-c's certificate expires ") == true)
            #expect(check["detail"]?.contains("(in 3 days)") == true)
            #expect(check["detail"]?.contains("node-a") == false, "15 days away is not yet announced")
        }
    }

    @Test func loadBalancerCheckFollowsJoinAndServingState() async throws {
        let source = Self.source(joined: false)
        try await withHTTPServer(source: source) { client in
            let before = try await client.request("/v1/health/lb")
            #expect(before.status == 503)
            #expect(before.contentType == "application/json")
            #expect(try before.jsonObject()["reason"] as? String == "not-joined")

            await source.update(joined: true)
            let joined = try await client.request("/v1/health/lb")
            #expect(joined.status == 200)
            #expect(try joined.jsonObject() as? [String: String] == ["status": "ok"])

            await source.update(serving: .draining)
            let draining = try await client.request("/v1/health/lb")
            #expect(draining.status == 503)
            #expect(try draining.jsonObject() as? [String: String] == ["error": "unavailable", "reason": "draining"])
        }
    }

    /// SPEC §13: an application failing its health check takes its node out of the balancer,
    /// with the check's reason; the operator's drain still names itself first.
    @Test func loadBalancerCheckFailsWhileTheApplicationIsUnhealthy() async throws {
        let source = Self.source(joined: true)
        try await withHTTPServer(source: source) { client in
            await source.setApplicationHealth(.unhealthy, failure: "GET http://127.0.0.1:8080/health answered 500")
            let unhealthy = try await client.request("/v1/health/lb")
            #expect(unhealthy.status == 503)
            #expect(try unhealthy.jsonObject() as? [String: String] == [
                "error": "unavailable", "reason": "unhealthy", "message": "GET http://127.0.0.1:8080/health answered 500",
            ])
            #expect(try await client.request("/v1/self").jsonObject()["health"] as? String == "unhealthy")

            await source.update(serving: .draining)
            #expect(try await client.request("/v1/health/lb").jsonObject()["reason"] as? String == "draining")

            await source.update(serving: .serving)
            await source.setApplicationHealth(.healthy, failure: nil)
            let healthy = try await client.request("/v1/health/lb")
            #expect(healthy.status == 200)
            #expect(try await client.request("/v1/self").jsonObject()["health"] as? String == "healthy")
        }
    }

    @Test func unknownRoutesAndMethodsAnswerJSON() async throws {
        try await withHTTPServer(source: Self.source()) { client in
            let missing = try await client.request("/v1/nope")
            #expect(missing.status == 404)
            #expect(missing.contentType == "application/json")
            let missingBody = try missing.jsonObject()
            #expect(missingBody["error"] as? String == "not-found")
            #expect(missingBody["reason"] as? String == "no route for GET /v1/nope")

            let wrongMethod = try await client.request("/v1/members", method: "POST")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.allow == "GET, HEAD")
            #expect(try wrongMethod.jsonObject()["error"] as? String == "method-not-allowed")
        }
    }

    @Test func metricsExposeTheCountersAndMemberGauge() async throws {
        let source = Self.source()
        var counters = CoreCounters()
        counters.datagramsIn = 7
        counters.rejected[.badSignature] = 2
        await source.update(counters: counters)
        try await withHTTPServer(source: source) { client in
            let response = try await client.request("/metrics")
            #expect(response.status == 200)
            #expect(response.contentType?.hasPrefix("text/plain") == true)
            let text = response.text
            for name in [
                "chorus_members", "chorus_datagrams_received_total", "chorus_datagrams_sent_total",
                "chorus_bytes_received_total", "chorus_bytes_sent_total", "chorus_datagrams_rejected_total",
                "chorus_probes_sent_total", "chorus_probes_failed_total", "chorus_indirect_probes_total",
                "chorus_suspicions_total", "chorus_refutations_total", "chorus_members_declared_dead_total",
            ] {
                #expect(text.contains("# TYPE \(name) "), "missing \(name)")
            }
            #expect(text.contains("chorus_datagrams_received_total 7\n"))
            #expect(text.contains("chorus_datagrams_rejected_total{reason=\"badSignature\"} 2\n"))
            #expect(text.contains("chorus_members{status=\"suspect\"} 1.0\n"))
        }
    }
}

@Suite("Load-balancer refusal")
struct LoadBalancerRefusalTests {
    @Test func operatorIntentComesBeforeJoinState() {
        let serving = FakeStatusSource.member("n", seed: 1)
        var draining = serving
        draining.serving = .draining
        var leaving = serving
        leaving.serving = .leaving
        var left = serving
        left.status = .left

        #expect(StatusRoutes.refusal(local: serving, joined: true, now: 0) == nil)
        #expect(StatusRoutes.refusal(local: serving, joined: false, now: 0) == .notJoined)
        #expect(StatusRoutes.refusal(local: draining, joined: false, now: 0) == .draining)
        #expect(StatusRoutes.refusal(local: leaving, joined: true, now: 0) == .leaving)
        #expect(StatusRoutes.refusal(local: left, joined: true, now: 0) == .leaving)
        var expired = serving
        expired.certificateExpiresAt = 1_000
        #expect(StatusRoutes.refusal(local: expired, joined: true, now: 999) == nil)
        #expect(StatusRoutes.refusal(local: expired, joined: true, now: 1_000) == .certificateExpired)
        #expect(StatusRoutes.refusal(local: expired, joined: true, now: 1_000, incompatibility: "x", maintenance: true) == .certificateExpired)
        #expect(StatusRoutes.refusal(local: serving, joined: true, now: 0, maintenance: true, removed: true) == .removed,
                 "a removed or revoked node takes no traffic, whatever else holds")
    }
}
