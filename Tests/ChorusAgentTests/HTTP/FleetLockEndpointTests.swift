import ChorusCore
import ChorusWire
import Foundation
import Testing

@testable import ChorusAgent

/// `POST /v1/pre-reboot` and `/v1/steady-state` as the FleetLock protocol document describes
/// them (coreos/zincati, docs/development/fleetlock/protocol.md): header, body, 200 for success
/// and `{"kind","value"}` for every failure, recursive and owned locks.
@Suite("FleetLock endpoint", .serialized)
struct FleetLockEndpointTests {
    static let body = #"{"client_params":{"id":"c988d2509fdf4cdcbed39037c56406fb","group":"default"}}"#
    static let header = ["fleet-lock-protocol": "true"]
    static let slot = DisruptionSlot(holder: NodeID(bytes: [UInt8](repeating: 2, count: 32))!, term: 1,
                                     purpose: .reboot(clientID: "c988d2509fdf4cdcbed39037c56406fb", group: "default"))

    static func source() -> FakeStatusSource {
        FakeStatusSource(local: FakeStatusSource.member("node-b", seed: 2, isLocal: true), joined: true)
    }

    func post(_ client: HTTPTestClient, _ path: String, body: String? = Self.body,
              headers: [String: String] = Self.header) async throws -> HTTPTestResponse {
        try await client.request(path, method: "POST", json: body, extraHeaders: headers)
    }

    @Test func aGrantedLockIsDecidedAndAnswered200() async throws {
        let source = Self.source()
        await source.setVerdicts([.grant(Self.slot), .alreadyHeld])
        await source.answerCommands(with: .committed(slot: 7, value: .grantSlot(Self.slot)))
        try await withHTTPServer(source: source) { client in
            let response = try await post(client, "/v1/pre-reboot")
            #expect(response.status == 200)
            #expect(try response.jsonObject()["kind"] as? String == "lock_held")
        }
        #expect(await source.commands == [.acquireRebootSlot(clientID: "c988d2509fdf4cdcbed39037c56406fb", group: "default")])
    }

    /// Recursive: the holder asking again is answered 200 with no new decision.
    @Test func theHolderLockingAgainDecidesNothing() async throws {
        let source = Self.source()
        await source.setVerdicts([.alreadyHeld])
        try await withHTTPServer(source: source) { client in
            let response = try await post(client, "/v1/pre-reboot")
            #expect(response.status == 200)
        }
        #expect(await source.commands.isEmpty)
    }

    @Test func aSpentBudgetIsAConflictOfKindSemaphoreFull() async throws {
        let source = Self.source()
        await source.setVerdicts([.spent(outOfService: [NodeID(bytes: [UInt8](repeating: 3, count: 32))!])])
        try await withHTTPServer(source: source) { client in
            let response = try await post(client, "/v1/pre-reboot")
            #expect(response.status == 409)
            let body = try response.jsonObject()
            #expect(Set(body.keys) == ["kind", "value"])
            #expect(body["kind"] as? String == "failed_lock_semaphore_full")
            #expect((body["value"] as? String)?.contains("out of service") == true)
        }
        #expect(await source.commands.isEmpty)
    }

    /// A grant lost to a concurrent one: the verdict read again names why.
    @Test func aGrantLostToAnotherIsAnsweredByTheNewVerdict() async throws {
        let source = Self.source()
        await source.setVerdicts([.grant(Self.slot), .spent(outOfService: [])])
        await source.answerCommands(with: .rejected(reason: "the disruption budget is spent"))
        try await withHTTPServer(source: source) { client in
            let response = try await post(client, "/v1/pre-reboot")
            #expect(response.status == 409)
            #expect(try response.jsonObject()["kind"] as? String == "failed_lock_semaphore_full")
        }
    }

    @Test func noQuorumIsA503() async throws {
        let source = Self.source()
        await source.setVerdicts([.grant(Self.slot)])
        try await withHTTPServer(source: source) { client in
            let response = try await post(client, "/v1/pre-reboot")
            #expect(response.status == 503)
            #expect(try response.jsonObject()["kind"] as? String == "failed_no_quorum")
        }
    }

    /// Owned: another client's slot on this node is neither taken nor released by this one.
    @Test func anotherClientsSlotIsNeitherTakenNorReleased() async throws {
        let source = Self.source()
        await source.setVerdicts([.heldByAnother(.reboot(clientID: "zincati-other", group: "default"))])
        try await withHTTPServer(source: source) { client in
            let lock = try await post(client, "/v1/pre-reboot")
            #expect(lock.status == 409)
            #expect(try lock.jsonObject()["kind"] as? String == "failed_lock_held_by_another")
            let unlock = try await post(client, "/v1/steady-state")
            #expect(unlock.status == 200, "UnlockIfHeld: nothing of this client's to release")
        }
        #expect(await source.commands.isEmpty)
    }

    @Test func theHolderUnlocksByADecision() async throws {
        let source = Self.source()
        await source.setVerdicts([.alreadyHeld])
        await source.answerCommands(with: .committed(slot: 8, value: .releaseSlot(holder: Self.slot.holder, term: 1)))
        try await withHTTPServer(source: source) { client in
            let response = try await post(client, "/v1/steady-state")
            #expect(response.status == 200)
            #expect(try response.jsonObject()["kind"] as? String == "lock_released")
        }
        #expect(await source.commands == [.releaseRebootSlot(clientID: "c988d2509fdf4cdcbed39037c56406fb")])
    }

    /// The header guards against a request redirected or forged by a page: without it, nothing.
    @Test(arguments: [[:], ["fleet-lock-protocol": "false"], ["fleet-lock-protocol": "1"]])
    func withoutTheHeaderNothingIsDecided(headers: [String: String]) async throws {
        let source = Self.source()
        await source.setVerdicts([.grant(Self.slot)])
        try await withHTTPServer(source: source) { client in
            for path in ["/v1/pre-reboot", "/v1/steady-state"] {
                let response = try await post(client, path, headers: headers)
                #expect(response.status == 400)
                #expect(try response.jsonObject()["kind"] as? String == "missing_fleet_lock_header")
            }
        }
        #expect(await source.commands.isEmpty)
    }

    @Test(arguments: [
        nil, "{}", "[]", "not json", #"{"client_params":{"id":"","group":"default"}}"#,
        #"{"client_params":{"id":"a","group":""}}"#, #"{"client_params":{"id":"a","group":"we/ird"}}"#,
        #"{"client_params":{"id":"a","group":"a b"}}"#, #"{"client_params":{"id":"a"}}"#,
        #"{"client_params":{"id":"a\u0000b","group":"default"}}"#,
        #"{"client_params":{"id":"\#(String(repeating: "x", count: 64))","group":"default"}}"#,
        #"{"client_params":{"id":7,"group":"default"}}"#,
    ])
    func aMalformedBodyIsRefused(body: String?) async throws {
        let source = Self.source()
        await source.setVerdicts([.grant(Self.slot)])
        try await withHTTPServer(source: source) { client in
            let response = try await post(client, "/v1/pre-reboot", body: body)
            #expect(response.status == 400)
            let answer = try response.jsonObject()
            #expect(answer["kind"] as? String == "invalid_client_params")
            #expect((answer["value"] as? String)?.isEmpty == false)
        }
        #expect(await source.commands.isEmpty)
    }

    @Test func anOversizedBodyIsRefusedInFleetLocksWords() async throws {
        try await withHTTPServer(source: Self.source()) { client in
            let response = try await post(client, "/v1/pre-reboot", body: String(repeating: " ", count: 10_000))
            #expect(response.status == 413)
            #expect(Set(try response.jsonObject().keys) == ["kind", "value"])
        }
    }
}
