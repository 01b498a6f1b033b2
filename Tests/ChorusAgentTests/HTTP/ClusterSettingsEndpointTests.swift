import ChorusCore
import ChorusWire
import Foundation
import Testing

@testable import ChorusAgent

@Suite("Cluster settings endpoint: maintenance and banner", .serialized)
struct ClusterSettingsEndpointTests {
    static func source() -> FakeStatusSource {
        FakeStatusSource(local: FakeStatusSource.member("node-b", seed: 2, isLocal: true), joined: true)
    }

    /// The stable cluster with `values` decided after it.
    static func cluster(after values: [DecisionValue], banner: AnnouncementBanner? = nil) -> ClusterSnapshot {
        var snapshot = FakeStatusSource.stableCluster
        var agreed = snapshot.agreed
        for (offset, value) in values.enumerated() { agreed.apply(value, slot: 3 + UInt64(offset)) }
        snapshot.agreed = agreed
        snapshot.banner = banner
        return snapshot
    }

    @Test func maintenanceCommandsCarryTheMessage() async throws {
        let source = Self.source()
        try await withHTTPServer(source: source) { client in
            await source.answerCommands(with: .committed(slot: 3, value: .maintenanceOn(message: "backup")))
            let on = try await client.request("/v1/maintenance", method: "PUT", token: testAdminToken,
                                              json: #"{"message": "backup", "unknown": 1}"#)
            #expect(on.status == 200)
            #expect(try on.jsonObject()["decision"] as? String == "maintenance-on")
            let bare = try await client.request("/v1/maintenance", method: "PUT", token: testAdminToken)
            #expect(bare.status == 200)
            let off = try await client.request("/v1/maintenance", method: "DELETE", token: testAdminToken)
            #expect(off.status == 200)
            let tooLong = try await client.request("/v1/maintenance", method: "PUT", token: testAdminToken,
                                                   json: "{\"message\": \"\(String(repeating: "x", count: 201))\"}")
            #expect(tooLong.status == 400)
            #expect(try tooLong.jsonObject()["reason"] as? String == "message is 201 bytes; at most 200 UTF-8 bytes fit a decision")
            let unauthorized = try await client.request("/v1/maintenance", method: "DELETE")
            #expect(unauthorized.status == 401)
        }
        #expect(await source.commands == [.startMaintenance(message: "backup"), .startMaintenance(message: ""), .endMaintenance])
    }

    @Test func maintenanceTurnsTheLoadBalancerAwayWithTheMessage() async throws {
        let source = Self.source()
        await source.setCluster(Self.cluster(after: [.maintenanceOn(message: "Backup until 02:00")]))
        try await withHTTPServer(source: source) { client in
            let check = try await client.request("/v1/health/lb")
            #expect(check.status == 503)
            #expect(try check.jsonObject()["reason"] as? String == "maintenance")
            #expect(try check.jsonObject()["message"] as? String == "Backup until 02:00")
            let maintenance = try #require(try await client.request("/v1/cluster").jsonObject()["maintenance"] as? [String: Any])
            #expect(maintenance["enabled"] as? Bool == true)
            #expect(maintenance["message"] as? String == "Backup until 02:00")
            // Administrators still reach the endpoint.
            #expect(try await client.request("/v1/members").status == 200)
        }
    }

    @Test func bannerIsServedWithItsExpiry() async throws {
        let source = Self.source()
        try await withHTTPServer(source: source) { client in
            let none = try await client.request("/v1/banner")
            #expect(none.status == 404)
            #expect(try none.jsonObject()["error"] as? String == "no-banner")
            let banner = AnnouncementBanner(message: "Upgrade at 22:00", level: .warning, expiresAt: 1_900_000_000)
            await source.setCluster(Self.cluster(after: [.setBanner(banner)], banner: banner))
            let served = try await client.request("/v1/banner").jsonObject()
            #expect(served["message"] as? String == "Upgrade at 22:00")
            #expect(served["level"] as? String == "warning")
            #expect(served["expiresAt"] as? String == "2030-03-17T17:46:40Z")
            let inCluster = try #require(try await client.request("/v1/cluster").jsonObject()["banner"] as? [String: Any])
            #expect(inCluster["message"] as? String == "Upgrade at 22:00")
        }
    }

    @Test func bannerRequestsAreValidated() async throws {
        let source = Self.source()
        try await withHTTPServer(source: source) { client in
            await source.answerCommands(with: .committed(slot: 3, value: .clearBanner))
            let good = try await client.request("/v1/banner", method: "PUT", token: testAdminToken,
                                                json: #"{"message": "hello", "level": "warning", "expiresAt": "2099-01-01T00:00:00Z"}"#)
            #expect(good.status == 200)
            for (body, reason) in [
                (#"{"message": "hello", "level": "loud"}"#, "level must be info or warning"),
                (#"{"message": "  "}"#, "message must not be blank"),
                (#"{"message": "a\u0000b"}"#, "message holds the control character U+0000; only tabs and newlines are allowed"),
                (#"{"message": "bell\u0007"}"#, "message holds the control character U+0007; only tabs and newlines are allowed"),
                (#"{"message": "hello", "expiresAt": "tomorrow"}"#, "expiresAt must be ISO 8601, e.g. 2026-11-21T18:00:00Z"),
                (#"{"message": "hello", "expiresAt": "2001-01-01T00:00:00Z"}"#, "expiresAt 2001-01-01T00:00:00Z is already past"),
            ] {
                let response = try await client.request("/v1/banner", method: "PUT", token: testAdminToken, json: body)
                #expect(response.status == 400, "\(body)")
                #expect(try response.jsonObject()["reason"] as? String == reason)
            }
            let empty = try await client.request("/v1/banner", method: "PUT", token: testAdminToken)
            #expect(empty.status == 400)
        }
        let expected = AnnouncementBanner(message: "hello", level: .warning, expiresAt: 4_070_908_800)
        #expect(await source.commands == [.setBanner(expected)])
    }

    /// A body past the 4 KiB bound is refused as too large (413), not as a server error (500).
    @Test func anOversizedBodyIsRefusedAs413() async throws {
        let source = Self.source()
        try await withHTTPServer(source: source) { client in
            let padding = String(repeating: "x", count: RequestBody.maxBytes)
            for path in ["/v1/banner", "/v1/maintenance"] {
                let response = try await client.request(path, method: "PUT", token: testAdminToken,
                                                        json: #"{"message": "hi", "padding": "\#(padding)"}"#)
                #expect(response.status == 413, "\(path)")
                #expect(try response.jsonObject()["error"] as? String == "too-large")
            }
        }
        #expect(await source.commands.isEmpty)
    }
}
