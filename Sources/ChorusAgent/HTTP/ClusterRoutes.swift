import Foundation
import ChorusCore
import ChorusWire
import HTTPTypes
import Hummingbird

/// The cluster state and the operator commands that change it (SPEC §5, §7).
enum ClusterRoutes {
    static func routes(source: some AgentStatusSource, authorization: AdminAuthorization) -> [HTTPRoute] {
        var routes = [
            HTTPRoute(.get, "/v1/cluster") { _, _ in
                try JSONResponse.make(ClusterResponse(await source.clusterSnapshot()))
            },
            // Removal revokes the member's key too unless `keep-key=true` (issue 15): a removed
            // host that still holds a valid certificate must not come back and act.
            HTTPRoute(.delete, "/v1/members/:name") { request, context in
                try await authorization.check(request)
                let keepKey = try QueryParameters.flag("keep-key", in: request, default: false)
                let name = try PathParameters.decoded("name", in: context)
                let member = try memberToRemove(named: name, among: await source.memberSnapshots())
                return try await answer(.removeMember(member.id, keepKey: keepKey), source: source)
            },
            HTTPRoute(.post, "/v1/members/:name/revoke") { request, context in
                try await authorization.check(request)
                let name = try PathParameters.decoded("name", in: context)
                let member = try memberToRevoke(named: name, among: await source.memberSnapshots())
                return try await answer(.revokeMember(member.id), source: source)
            },
            HTTPRoute(.post, "/v1/operators/:name/revoke") { request, context in
                try await authorization.check(request)
                let name = try PathParameters.decoded("name", in: context)
                guard OperatorCredential.isValidName(name) else {
                    throw APIError(.badRequest, error: "invalid-request",
                                   reason: "an operator name is 1 to \(OperatorCredential.maxNameLength) of A-Z a-z 0-9 . _ @ + -")
                }
                // Every credential of the name issued up to now: one issued later works again.
                let now = UInt64(Date().timeIntervalSince1970)
                return try await answer(.revokeOperator(name: name, issuedBefore: now), source: source)
            },
        ]
        for (path, command) in commands {
            routes.append(HTTPRoute(.post, RouterPath(stringLiteral: "/v1/upgrade/" + path)) { request, _ in
                try await authorization.check(request)
                return try await answer(command, source: source)
            })
        }
        return routes
    }

    /// The member `DELETE /v1/members/NAME` means: by name, or by its id in hex (whole or a
    /// prefix of at least 8 characters). When two members share a name (a host that came back
    /// with a new key), the one that is not alive is meant: it is the one that needs removing,
    /// and removing the live one would be refused anyway (issue 15: the dead one could not be
    /// removed at all). Two live members of one name are ambiguous: 409 with their ids.
    static func memberToRemove(named name: String, among members: [MemberSnapshot]) throws -> MemberSnapshot {
        let named = MemberReference.matches(name, among: members)
        let gone = named.filter { $0.status != .alive }
        return try MemberReference.one(of: gone.isEmpty ? named : gone, named: name,
                                       byID: "remove one by its id, DELETE /v1/members/ID")
    }

    /// The member `POST /v1/members/NAME/revoke` means: by name, or by 8 or more hex digits of its
    /// id, alive or not (a compromised host is usually alive); two namesakes need the id.
    static func memberToRevoke(named name: String, among members: [MemberSnapshot]) throws -> MemberSnapshot {
        let named = MemberReference.matches(name, among: members.filter { !$0.isLocal })
        if named.isEmpty, members.contains(where: { $0.isLocal && $0.name == name }) {
            throw APIError(.conflict, error: "conflict", reason: "a node cannot revoke itself: ask another member to revoke '\(name)'")
        }
        return try MemberReference.one(of: named, named: name, byID: "revoke one by its id, POST /v1/members/ID/revoke")
    }

    static let commands: [(String, OperatorCommand)] = [
        ("start", .startUpgrade), ("cancel", .cancelUpgrade), ("approve", .approveUpgrade), ("retry", .retryUpgrade),
    ]

    /// 200 with the decision once committed, 409 with the reason, 503 when no quorum answered in time.
    static func answer(_ command: OperatorCommand, source: some AgentStatusSource) async throws -> Response {
        let (slot, value) = try await commit(command, source: source)
        let state = await source.clusterSnapshot().status.state.rawValue
        return try JSONResponse.make(CommandResponse(decision: value.name, slot: slot, state: state))
    }

    /// The committed decision, or the error that answers the refusal (409) or the lack of a quorum (503).
    static func commit(_ command: OperatorCommand, source: some AgentStatusSource) async throws -> (slot: UInt64, value: DecisionValue) {
        switch try await source.submit(command) {
        case .committed(let slot, let value):
            return (slot, value)
        case .rejected(let reason):
            throw APIError(.conflict, error: "conflict", reason: reason)
        case .noQuorum:
            throw APIError(.serviceUnavailable, error: "no-quorum",
                           reason: "no majority of voters decided in time; the command may still be decided: check GET /v1/cluster")
        }
    }
}
