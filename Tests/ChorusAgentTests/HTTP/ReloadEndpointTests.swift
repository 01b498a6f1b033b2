import Foundation
import Testing

@testable import ChorusAgent

/// `POST /v1/reload` (SPEC §2, `chorus reload`): admin only; 200 with what is in force, 422 with
/// the reason when refused; its answer is what docs/openapi.json describes.
@Suite("Reload endpoint", .serialized)
struct ReloadEndpointTests {
    static let answer = ReloadResponse(node: "node-b", certificateRenewed: true, certificateExpiresAt: "2027-01-01T00:00:00Z",
                                       applied: ["upgrade.tasks_command"], needsRestart: ["log_level"])

    @Test func reloadNeedsTheAdminToken() async throws {
        let source = FakeStatusSource(local: FakeStatusSource.member("node-b", seed: 2, isLocal: true), joined: true)
        await source.answerReloads(with: Self.answer)
        try await withHTTPServer(source: source) { client in
            let anonymous = try await client.request("/v1/reload", method: "POST")
            let wrong = try await client.request("/v1/reload", method: "POST", token: "wrong")
            #expect(anonymous.status == 401 && wrong.status == 401)
        }
        #expect(await source.reloads == 0)
    }

    @Test func aReloadAnswersWhatIsInForce() async throws {
        let source = FakeStatusSource(local: FakeStatusSource.member("node-b", seed: 2, isLocal: true), joined: true)
        await source.answerReloads(with: Self.answer)
        try await withHTTPServer(source: source) { client in
            let response = try await client.request("/v1/reload", method: "POST", token: testAdminToken)
            #expect(response.status == 200)
            #expect(try JSONDecoder().decode(ReloadResponse.self, from: response.body) == Self.answer)
        }
    }

    @Test func aRefusedReloadIs422WithTheReason() async throws {
        let source = FakeStatusSource(local: FakeStatusSource.member("node-b", seed: 2, isLocal: true), joined: true)
        try await withHTTPServer(source: source) { client in
            let response = try await client.request("/v1/reload", method: "POST", token: testAdminToken)
            #expect(response.status == 422)
            #expect(try response.jsonObject()["error"] as? String == "reload-refused")
            #expect((try response.jsonObject()["reason"] as? String)?.contains("expired") == true)
        }
    }

    @Test func theOpenAPIDocumentDescribesTheAnswer() throws {
        let schemas = (OpenAPIDocumentTests.document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]]
        let documented = Set((schemas?["Reload"]?["properties"] as? [String: Any])?.keys ?? [:].keys)
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.answer)) as? [String: Any]
        #expect(Set(encoded?.keys ?? [:].keys) == documented)
        let paths = OpenAPIDocumentTests.document["paths"] as? [String: [String: Any]]
        let responses = (paths?["/v1/reload"]?["post"] as? [String: Any])?["responses"] as? [String: Any]
        #expect(Set(responses?.keys ?? [:].keys) == ["200", "401", "422"])
    }
}
