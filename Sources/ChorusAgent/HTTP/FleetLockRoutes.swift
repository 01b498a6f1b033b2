import ChorusCore
import ChorusWire
import Foundation
import HTTPTypes
import Hummingbird

/// FleetLock (SPEC §7, §13; the protocol document of coreos/zincati): an OS update agent on this
/// host, such as Zincati pointed at `http://127.0.0.1:7721`, takes a reboot slot before it
/// reboots the host and gives it back once the host is up again. The slot is this node's, from
/// the cluster's one disruption budget, granted and released by quorum decisions, so no two
/// hosts reboot together when the budget is one, and none while a member is already out.
///
/// No token: FleetLock clients send none. The `fleet-lock-protocol: true` header, which a web
/// page cannot send across origins without the endpoint's consent, stands in for it, as the
/// protocol intends; and a slot is only ever this node's (docs/security.md).
enum FleetLockRoutes {
    /// Errors on these paths are `{"kind","value"}`, as the protocol asks (`ErrorResponse.response`).
    static let paths: Set<String> = ["/v1/pre-reboot", "/v1/steady-state"]

    static func routes(source: some AgentStatusSource) -> [HTTPRoute] {
        [
            HTTPRoute(.post, "/v1/pre-reboot") { request, _ in
                let client = try await FleetLockClient(request)
                return try await lock(client, source: source)
            },
            HTTPRoute(.post, "/v1/steady-state") { request, _ in
                let client = try await FleetLockClient(request)
                return try await unlock(client, source: source)
            },
        ]
    }

    /// RecursiveLock: 200 once this node's slot is held by the client, now or already.
    private static func lock(_ client: FleetLockClient, source: some AgentStatusSource) async throws -> Response {
        let verdict = await source.rebootSlotVerdict(clientID: client.id, group: client.group)
        guard case .grant = verdict else { return try await answer(verdict, source: source) }
        switch try await source.submit(.acquireRebootSlot(clientID: client.id, group: client.group)) {
        case .committed:
            return try await answer(.alreadyHeld, source: source)
        case .noQuorum:
            throw noQuorum
        case .rejected(let reason):
            // Another grant or release was decided first: the verdict now says what holds.
            let now = await source.rebootSlotVerdict(clientID: client.id, group: client.group)
            if case .grant = now { throw APIError(.conflict, error: "failed_lock_refused", reason: reason) }
            return try await answer(now, source: source)
        }
    }

    /// UnlockIfHeld: 200 once the client holds no slot here, whether it held one or not.
    private static func unlock(_ client: FleetLockClient, source: some AgentStatusSource) async throws -> Response {
        guard await source.rebootSlotVerdict(clientID: client.id, group: client.group) == .alreadyHeld else { return try released() }
        switch try await source.submit(.releaseRebootSlot(clientID: client.id)) {
        case .committed:
            return try released()
        case .noQuorum:
            throw noQuorum
        case .rejected(let reason):
            guard await source.rebootSlotVerdict(clientID: client.id, group: client.group) == .alreadyHeld else { return try released() }
            throw APIError(.conflict, error: "failed_unlock_refused", reason: reason)
        }
    }

    private static func answer(_ verdict: DisruptionBudget.Verdict, source: some AgentStatusSource) async throws -> Response {
        let node = await source.localMember().name
        switch verdict {
        case .alreadyHeld:
            return try JSONResponse.make(FleetLockAnswer(kind: "lock_held", value: "\(node) holds a reboot slot"))
        case .heldByAnother(let held):
            let release = if case .reboot = held { "it releases it at /v1/steady-state" } else { "it is freed when this node's turn ends" }
            throw APIError(.conflict, error: "failed_lock_held_by_another", reason: "\(node)'s slot is held by \(held.holderDescription); \(release)")
        case .spent(let outOfService):
            let names = await source.names(of: outOfService)
            throw APIError(.conflict, error: "failed_lock_semaphore_full",
                           reason: "the disruption budget is spent" + (names.isEmpty ? "" : ": out of service \(names.joined(separator: ", "))"))
        case .notAVoter:
            throw APIError(.conflict, error: "failed_lock_not_a_voter",
                           reason: "\(node) is not a voting member of the cluster: the budget counts voting members")
        case .grant:
            throw APIError(.conflict, error: "failed_lock_refused", reason: "no slot was granted")
        }
    }

    private static func released() throws -> Response {
        try JSONResponse.make(FleetLockAnswer(kind: "lock_released", value: "no reboot slot is held by the client here"))
    }

    private static let noQuorum = APIError(
        .serviceUnavailable, error: "failed_no_quorum",
        reason: "no majority of voters decided in time; the slot may still be decided: ask again")
}

/// The body's `client_params`, checked as the protocol document says: a non-empty id, a group
/// matching `^[a-zA-Z0-9.-]+$`; and the header, which must say `true`.
struct FleetLockClient {
    let id: String
    let group: String

    init(_ request: Request) async throws {
        guard request.headers[HTTPField.Name("fleet-lock-protocol")!]?.trimmingCharacters(in: .whitespaces) == "true" else {
            throw APIError(.badRequest, error: "missing_fleet_lock_header", reason: "the header fleet-lock-protocol: true is required")
        }
        let body: FleetLockRequest?
        do {
            body = try await RequestBody.decode(FleetLockRequest.self, from: request)
        } catch let error as APIError where error.status == .badRequest {
            throw APIError(.badRequest, error: "invalid_client_params", reason: error.body.reason)
        }
        guard let params = body?.clientParams else {
            throw APIError(.badRequest, error: "invalid_client_params", reason: "the body must be {\"client_params\": {\"id\", \"group\"}}")
        }
        guard (1...DisruptionSlot.maxClientIDCharacters).contains(params.id.unicodeScalars.count),
              RequestBody.firstControlCharacter(in: params.id) == nil else {
            throw APIError(.badRequest, error: "invalid_client_params",
                           reason: "client_params.id must be 1 to \(DisruptionSlot.maxClientIDCharacters) characters, none a control character")
        }
        let groupCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
        guard !params.group.isEmpty, params.group.utf8.count <= DisruptionSlot.maxGroupLength, params.group.allSatisfy(groupCharacters.contains) else {
            throw APIError(.badRequest, error: "invalid_client_params",
                           reason: "client_params.group must match ^[a-zA-Z0-9.-]+$ (at most \(DisruptionSlot.maxGroupLength) characters)")
        }
        id = params.id
        group = params.group
    }
}

struct FleetLockRequest: Decodable {
    struct ClientParams: Decodable {
        let id: String
        let group: String
    }

    let clientParams: ClientParams?

    enum CodingKeys: String, CodingKey {
        case clientParams = "client_params"
    }
}

/// A FleetLock success: `{"kind","value"}` like its errors, so a client logs either the same way.
struct FleetLockAnswer: Codable, Sendable, Equatable {
    let kind: String
    let value: String
}
