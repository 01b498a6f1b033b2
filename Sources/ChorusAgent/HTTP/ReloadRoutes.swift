import Hummingbird

/// `POST /v1/reload` (SPEC §2, §9 `chorus reload`): the same reload as SIGHUP, for an operator
/// or a script that has the admin token. 200 with what is in force now; 422 with the reason
/// when the certificate or the configuration is refused, and then nothing changed.
enum ReloadRoutes {
    static func routes(source: some AgentStatusSource, authorization: AdminAuthorization) -> [HTTPRoute] {
        [
            HTTPRoute(.post, "/v1/reload") { request, _ in
                try await authorization.check(request)
                do {
                    return try JSONResponse.make(try await source.reload(by: "POST /v1/reload"))
                } catch let refusal as ReloadRefusal {
                    throw APIError(.unprocessableContent, error: "reload-refused", reason: refusal.reason)
                }
            },
        ]
    }
}

extension AgentStatusSource {
    /// Sources that cannot reload (test doubles) refuse.
    public func reload(by caller: String) async throws -> ReloadResponse {
        throw ReloadRefusal("this agent cannot reload")
    }
}
