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
            HTTPRoute(.delete, "/v1/members/:name") { request, context in
                try authorization.check(request)
                let name = try context.parameters.require("name")
                let members = await source.memberSnapshots().filter { $0.name == name }
                guard let member = members.first(where: \.voter) ?? members.first else {
                    throw APIError(.notFound, error: "unknown-member", reason: "no member is named '\(name)'")
                }
                return try await answer(.removeMember(member.id), source: source)
            },
        ]
        for (path, command) in commands {
            routes.append(HTTPRoute(.post, RouterPath(stringLiteral: "/v1/upgrade/" + path)) { request, _ in
                try authorization.check(request)
                return try await answer(command, source: source)
            })
        }
        return routes
    }

    static let commands: [(String, OperatorCommand)] = [
        ("start", .startUpgrade), ("cancel", .cancelUpgrade), ("approve", .approveUpgrade), ("retry", .retryUpgrade),
    ]

    /// 200 with the decision once committed, 409 with the reason, 503 when no quorum answered in time.
    static func answer(_ command: OperatorCommand, source: some AgentStatusSource) async throws -> Response {
        switch try await source.submit(command) {
        case .committed(let slot, let value):
            let state = await source.clusterSnapshot().status.state.rawValue
            return try JSONResponse.make(CommandResponse(decision: value.name, slot: slot, state: state))
        case .rejected(let reason):
            throw APIError(.conflict, error: "conflict", reason: reason)
        case .noQuorum:
            throw APIError(.serviceUnavailable, error: "no-quorum",
                           reason: "no majority of voters decided in time; the command may still be decided: check GET /v1/cluster")
        }
    }
}
