import ChorusCore
import Hummingbird

/// What an operator does to this one node (SPEC §6, §7): drain it before an upgrade, undrain it,
/// or make it leave the cluster. Not quorum decisions: they concern this node alone.
enum NodeRoutes {
    static func routes(source: some AgentStatusSource, authorization: AdminAuthorization) -> [HTTPRoute] {
        [
            HTTPRoute(.post, "/v1/node/drain") { request, _ in
                try await authorization.check(request)
                return try JSONResponse.make(MemberResponse(try await source.setDraining(true)))
            },
            HTTPRoute(.post, "/v1/node/undrain") { request, _ in
                try await authorization.check(request)
                return try JSONResponse.make(MemberResponse(try await source.setDraining(false)))
            },
            // 202: the leave is announced and the agent stops after this answer has been sent.
            HTTPRoute(.post, "/v1/leave") { request, _ in
                try await authorization.check(request)
                let name = await source.localMember().name
                await source.requestLeave()
                return try JSONResponse.make(LeaveResponse(status: "leaving", node: name), status: .accepted)
            },
        ]
    }
}

/// The answer to `POST /v1/leave`.
public struct LeaveResponse: Codable, Sendable, Equatable {
    public var status: String
    public var node: String
}
