import Testing

@testable import ChorusAgent

/// What schemathesis found against docs/openapi.json (issue 15): query values outside the
/// documented schema were served as if absent. Each is a 400 that names the parameter.
@Suite struct QueryParameterTests {
    @Test func valuesOutsideTheSchemaAre400() async throws {
        let source = FakeStatusSource(local: FakeStatusSource.member("a", seed: 1, isLocal: true))
        try await withHTTPServer(source: source) { client in
            for path in ["/v1/decisions?limit=null", "/v1/decisions?limit=-1", "/v1/decisions?from=1.5",
                         "/v1/decisions?from=", "/v1/events?follow=AAA", "/v1/events?follow="] {
                let response = try await client.request(path)
                #expect(response.status == 400, "\(path)")
                #expect(try response.jsonObject()["error"] as? String == "invalid-request", "\(path)")
            }
            for path in ["/v1/decisions", "/v1/decisions?from=0&limit=1000", "/v1/events?follow=false",
                         "/v1/decisions?limit=818541578913735507968&from=99999999999999999999999"] {
                #expect(try await client.request(path).status == 200, "\(path)")
            }
        }
    }
}
