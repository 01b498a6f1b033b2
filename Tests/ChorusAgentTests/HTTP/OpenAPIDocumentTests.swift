import ChorusCore
import ChorusCrypto
import ChorusWire
import Foundation
import Logging
import Testing

@testable import ChorusAgent

/// docs/openapi.json describes the endpoint (SPEC §7): the same routes, and the same JSON fields
/// as the response types actually encode.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    nonisolated(unsafe) static let document: [String: Any] = { // read-only after first use
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/openapi.json")
        let data = (try? Data(contentsOf: url)) ?? Data()
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }()

    @Test func everyRouteIsDocumentedAndNothingElse() {
        let routes = endpointRoutes(source: FakeStatusSource(local: FakeStatusSource.member("a", seed: 1)),
                                    metrics: MetricsExporter(), adminToken: "t", authorityKey: testAuthority.publicKey,
                                    journal: EventJournal(node: "a"), logger: Logger(label: "test"))
        let served = Set(routes.map { route in
            let path = route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            return "\(route.method.rawValue.lowercased()) /" + path.joined(separator: "/")
        })
        let paths = Self.document["paths"] as? [String: [String: Any]] ?? [:]
        let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0) \(path)" } })
        #expect(!documented.isEmpty, "docs/openapi.json did not load")
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
    }

    private func properties(of schema: String) -> Set<String> {
        let schemas = (Self.document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]]
        return Set((schemas?[schema]?["properties"] as? [String: Any])?.keys ?? [:].keys)
    }

    private func keys(of value: some Encodable) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value)) as? [String: Any]
        return Set(object?.keys ?? [:].keys)
    }

    @Test func schemasMatchWhatTheTypesEncode() throws {
        let member = FakeStatusSource.member("a", seed: 1)
        let cluster = ClusterResponse(FakeStatusSource.stableCluster)
        #expect(try keys(of: MemberResponse(member)) == properties(of: "Member"))
        #expect(try keys(of: cluster) == properties(of: "Cluster"))
        #expect(try keys(of: cluster.maintenance) == properties(of: "Maintenance"))
        #expect(try keys(of: CommandResponse(decision: "start", slot: 1, state: "STABLE")) == properties(of: "Command"))
        let founder = NodeID(bytes: Array(repeating: 1, count: 32))!
        let slot = DecidedSlot(slot: 0, ballot: Ballot(round: 0, proposer: founder),
                               value: .found(founder: founder, clusterVersion: "1.0.0"), votes: [])
        #expect(try keys(of: DecisionResponse(slot)) == properties(of: "Decision"))
        let check = HealthCheck(name: "certificates", status: "passing", detail: "d")
        #expect(try keys(of: HealthResponse(status: "ok", node: "a", checks: [check])) == properties(of: "Health"))
        #expect(try keys(of: check) == properties(of: "HealthCheck"))
        #expect(try keys(of: LeaveResponse(status: "leaving", node: "a")) == properties(of: "Leave"))
        #expect(try keys(of: LoadBalancerRefusalResponse(error: "unavailable", reason: "maintenance", message: "m"))
                == properties(of: "LoadBalancerRefusal"))
        #expect(try keys(of: BannerResponse(AnnouncementBanner(message: "m", level: .info, expiresAt: nil))) == properties(of: "Banner"))
        #expect(try keys(of: MaintenanceRequest(message: "m")) == properties(of: "MaintenanceRequest"))
        let ring = KeyringResponse(SealingKeyring(configured: [SodiumGossipCipher.key([UInt8](repeating: 1, count: 32))],
                                                  agreed: AgreedKeyring(), granted: nil), removed: [])
        #expect(try keys(of: ring) == properties(of: "Keyring"))
        #expect(try keys(of: ring.keys[0]) == properties(of: "KeyringKey"))
        #expect(try keys(of: KeyringRequest(key: "k", id: "i")) == properties(of: "KeyringRequest"))
        #expect(try keys(of: BannerRequest(message: "m", level: "info", expiresAt: "t")) == properties(of: "BannerRequest"))
        #expect(try keys(of: ErrorResponse(error: "e", reason: "r")) == properties(of: "Error"))
        #expect(try keys(of: JiraNodeResponse(member, lastStateChange: 1)) == properties(of: "JiraNode"))
        #expect(try keys(of: JiraStateResponse(state: "STABLE", build: JiraBuild(buildNumber: 1, version: "1.0.0")))
                == properties(of: "JiraState"))
        #expect(try keys(of: JiraErrorResponse(errorMessages: ["m"], errors: [:])) == properties(of: "JiraError"))
        let subject = ClusterEvent.Subject(holder: member.id, term: 1, purpose: .reboot(clientID: "c", group: "default"), reason: "r")
        let eventSlot = AgentEvent.Slot(subject, holderName: "a")
        let event = AgentEvent(id: 1, event: "member-join", time: "t", node: "a", member: MemberResponse(member), cluster: cluster, slot: eventSlot)
        #expect(try keys(of: event) == properties(of: "Event"))
        #expect(try keys(of: eventSlot) == properties(of: "EventSlot"))
    }
}
