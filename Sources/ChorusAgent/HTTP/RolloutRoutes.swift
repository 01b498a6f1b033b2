import ChorusCore
import ChorusWire
import Hummingbird

/// The automated rolling upgrade (SPEC §7, §13): read it, start, pause, resume or abort it, and
/// free a member's disruption slot (`chorus rollout release NAME`). Every change is a quorum
/// decision, answered like the upgrade commands: 200, 409, 503.
enum RolloutRoutes {
    static func routes(source: some AgentStatusSource, authorization: AdminAuthorization) -> [HTTPRoute] {
        [
            HTTPRoute(.get, "/v1/rollout") { _, _ in
                try JSONResponse.make(await RolloutResponse.make(source: source))
            },
            HTTPRoute(.post, "/v1/rollout/start") { request, _ in
                try await authorization.check(request)
                guard let body = try await RequestBody.decode(RolloutStartRequest.self, from: request) else {
                    throw APIError(.badRequest, error: "invalid-request", reason: "the body must be {\"to\", \"maxUnavailable\", \"order\", \"approve\"}")
                }
                return try await ClusterRoutes.answer(.startRollout(try await body.plan(source: source)), source: source)
            },
            HTTPRoute(.post, "/v1/rollout/pause") { request, _ in
                try await authorization.check(request)
                return try await ClusterRoutes.answer(.pauseRollout, source: source)
            },
            HTTPRoute(.post, "/v1/rollout/resume") { request, _ in
                try await authorization.check(request)
                return try await ClusterRoutes.answer(.resumeRollout, source: source)
            },
            HTTPRoute(.post, "/v1/rollout/abort") { request, _ in
                try await authorization.check(request)
                return try await ClusterRoutes.answer(.abortRollout, source: source)
            },
            HTTPRoute(.post, "/v1/rollout/release") { request, _ in
                try await authorization.check(request)
                guard let body = try await RequestBody.decode(RolloutReleaseRequest.self, from: request) else {
                    throw APIError(.badRequest, error: "invalid-request", reason: "the body must be {\"name\"}")
                }
                return try await ClusterRoutes.answer(.releaseSlot(of: try await memberID(named: body.name, source: source)), source: source)
            },
        ]
    }

    /// A member a rollout names (its order, a slot to release), as the member commands read names;
    /// one that has left is no longer one.
    static func memberID(named name: String, source: some AgentStatusSource) async throws -> NodeID {
        let present = await source.memberSnapshots().filter { $0.status != .left }
        return try MemberReference.one(of: MemberReference.matches(name, among: present), named: name, byID: "name it by its id").id
    }
}

/// `POST /v1/rollout/start`: `to` is required; `maxUnavailable` defaults to 1, `order` to none
/// (voters in id order), `approve` to false.
struct RolloutStartRequest: Decodable {
    let to: String
    let maxUnavailable: Int?
    let order: [String]?
    let approve: Bool?

    func plan(source: some AgentStatusSource) async throws -> RolloutPlan {
        guard (try? SettingSyntax.version.parse(to)) != nil else {
            throw APIError(.badRequest, error: "invalid-request", reason: "'to' must be a version X.Y.Z, got '\(to)'")
        }
        let limit = Int(RolloutPlan.maxUnavailableLimit)
        let budget = maxUnavailable ?? 1
        guard (1...limit).contains(budget) else {
            throw APIError(.badRequest, error: "invalid-request", reason: "'maxUnavailable' must be 1 to \(limit)")
        }
        let names = order ?? []
        guard names.count <= RolloutPlan.maxOrderedMembers, Set(names).count == names.count else {
            throw APIError(.badRequest, error: "invalid-request",
                           reason: "'order' names at most \(RolloutPlan.maxOrderedMembers) members, each once; the others follow")
        }
        var ids: [NodeID] = []
        for name in names { ids.append(try await RolloutRoutes.memberID(named: name, source: source)) }
        return RolloutPlan(targetVersion: to, maxUnavailable: UInt8(budget), approve: approve ?? false, order: ids)
    }
}

struct RolloutReleaseRequest: Decodable {
    let name: String
}
