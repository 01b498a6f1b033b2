import ChorusCore
import Testing

@testable import ChorusAgent

/// `GET /`: the status page, read from the file compiled into the binary. How it renders is
/// StatusPageBrowserTests' part (headless Chromium against real agents).
@Suite("Status page endpoint", .serialized)
struct StatusPageEndpointTests {
    @Test func thePageIsServedWholeWithEveryEventNameFilledIn() async throws {
        try await withHTTPServer(source: FakeStatusSource(local: FakeStatusSource.member("a", seed: 1, isLocal: true))) { client in
            let response = try await client.request("/")
            #expect(response.status == 200)
            #expect(response.contentType == "text/html; charset=utf-8")
            #expect(response.text.hasPrefix("<!doctype html>"))
            #expect(response.text.hasSuffix("</html>\n"), "the whole file, not a part of it")
            #expect(!response.text.contains(StatusPage.eventNamesPlaceholder))
            let names = EventName.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            #expect(response.text.contains("const EVENT_NAMES = [\(names)];"))
        }
    }
}
