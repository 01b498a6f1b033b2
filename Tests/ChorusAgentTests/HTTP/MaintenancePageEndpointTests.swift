import ChorusCore
import Foundation
import HTTPTypes
import Testing

@testable import ChorusAgent

/// `GET /maintenance`: the page balancers show end users, with the operator's message as text.
@Suite("Maintenance page endpoint", .serialized)
struct MaintenancePageEndpointTests {
    static func source(maintenance message: String?) async -> FakeStatusSource {
        let source = FakeStatusSource(local: FakeStatusSource.member("node-b", seed: 2, isLocal: true), joined: true)
        var cluster = FakeStatusSource.stableCluster
        var agreed = cluster.agreed
        if let message { agreed.apply(.maintenanceOn(message: message), slot: 3) }
        cluster.agreed = agreed
        await source.setCluster(cluster)
        return source
    }

    @Test func anAttackersMessageIsShownAsTextNeverAsMarkup() async throws {
        let message = #"<script>alert("x")</script> & 'back' <img src=x onerror=alert(1)>"#
        try await withHTTPServer(source: await Self.source(maintenance: message)) { client in
            let response = try await client.request("/maintenance")
            let page = response.text
            #expect(response.status == 200)
            #expect(response.contentType == "text/html; charset=utf-8")
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;back&#39; &lt;img src=x onerror=alert(1)&gt;"
            #expect(page.contains(#"<p id="chorus-maintenance-message">\#(escaped)</p>"#))
            #expect(!page.contains("<script") && !page.contains("<img"), "markup from the message reached the page")
            #expect(!page.contains(MaintenancePage.generalText))
        }
    }

    @Test(arguments: [nil, "", "  \n"])
    func withNoMessageThePageSaysItInGeneralWords(_ message: String?) async throws {
        try await withHTTPServer(source: await Self.source(maintenance: message)) { client in
            let response = try await client.request("/maintenance")
            #expect(response.status == 200)
            #expect(response.text.contains(#"<main id="chorus-maintenance">"#))
            #expect(response.text.contains("<p>\(MaintenancePage.generalText)</p>"))
            #expect(!response.text.contains(#"id="chorus-maintenance-message""#))
        }
    }

    @Test func aLessThanSignJoinedByACombiningMarkIsEscapedToo() {
        // "<\u{338}" is one Character (≮), so only escaping by scalar catches its "<".
        #expect(MaintenancePage.escaped("<\u{338}script>") == "&lt;\u{338}script&gt;")
    }

    @Test func otherMethodsAreRefusedAndHeadIsAnswered() async throws {
        try await withHTTPServer(source: await Self.source(maintenance: "backup")) { client in
            let put = try await client.request("/maintenance", method: "PUT", token: testAdminToken)
            #expect(put.status == 405)
            #expect(put.allow == "GET, HEAD")
            #expect(try await client.request("/maintenance", method: "HEAD").status == 200)
        }
    }

    /// The page is written twice: served by the agents, and as deploy/maintenance.html, which the
    /// balancers serve when no agent answers. Without a message they must be the same page, but
    /// for the static file's comment and the style of the message paragraph it lacks.
    @Test func theStaticFallbackIsTheAgentsPageWithoutAMessage() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("deploy/maintenance.html")
        let withoutComment = try String(contentsOf: file, encoding: .utf8).replacing(/<!--.*?-->\n/.dotMatchesNewlines(), with: "")
        let served = MaintenancePage.html(message: nil).split(separator: "\n").filter { !$0.contains("#chorus-maintenance-message") }
        func lines(_ text: some StringProtocol) -> [String] {
            text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        #expect(lines(withoutComment) == lines(served.joined(separator: "\n")))
    }
}
