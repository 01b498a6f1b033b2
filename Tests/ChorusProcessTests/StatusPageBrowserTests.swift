import Foundation
import Testing

/// The status page (`GET /`) rendered by headless Chromium against three real agents: the DOM,
/// after the page's JavaScript ran, shows that cluster's members, versions, liveness and state.
@Suite(.serialized) struct StatusPageBrowserTests {
    @Test func pageShowsTheClusterMembersDrainMaintenanceAndBanner() async throws {
        let chromium = try ExternalTool.require("chromium", package: "chromium")
        let cluster = try ProcessCluster(count: 3, label: "status-page")
        defer { cluster.stop() }
        try await cluster.startServing()
        let page = "http://127.0.0.1:\(cluster.agents[0].httpPort)/"

        // Each look is a whole Chromium start (2-5 s, more on a busy CI machine): bounds of 60 s
        // leave room for a dozen, while a page that never shows the state still fails.
        var dom = ""
        let rendered = await eventually(within: .seconds(60)) {
            dom = await Self.render(page, with: chromium)
            return dom.contains(#"data-loaded="yes""#)
                && cluster.agents.allSatisfy { dom.contains(Self.memberRow($0.name, status: "alive", serving: "serving")) }
        }
        #expect(rendered != nil, "the page never showed three alive, serving members; last DOM:\n\(dom.prefix(4000))")
        #expect(dom.contains(#"<dd id="cluster-state" class="state-STABLE">STABLE</dd>"#))
        #expect(dom.contains(#"<dd id="quorum">2 of 3 voters</dd>"#))
        #expect(dom.contains(#"<dd id="cluster-version">1.0.0</dd>"#))
        #expect(dom.contains(#"<dd id="maintenance-state">off</dd>"#))
        #expect(dom.contains(#"<dd id="banner-state">none</dd>"#))
        #expect(dom.contains("node-1 · 1.0.0"), "the heading should name the agent serving the page")

        // A drain at another node reaches this agent by gossip and then the page.
        #expect(try await cluster.agents[2].mutate("POST", "/v1/node/drain") == 200)
        let drained = await eventually(within: .seconds(60)) {
            dom = await Self.render(page, with: chromium)
            return dom.contains(Self.memberRow("node-3", status: "alive", serving: "draining"))
        }
        #expect(drained != nil, "the page never showed node-3 draining; last DOM:\n\(dom.prefix(4000))")

        // Cluster-wide settings, decided through other agents, shown with their messages.
        #expect(try cluster.agents[1].runClient(["maintenance", "on", "--message", "Backup until 02:00"]) == 0)
        #expect(try cluster.agents[2].runClient(["banner", "set", "Upgrade tonight", "--level", "warning"]) == 0)
        let settings = await eventually(within: .seconds(60)) {
            dom = await Self.render(page, with: chromium)
            return dom.contains(#"<dd id="maintenance-state">on</dd>"#)
                && dom.contains(#"<span id="maintenance-message">Backup until 02:00</span>"#)
                && dom.contains(#"<dd id="banner-state">warning: Upgrade tonight</dd>"#)
        }
        #expect(settings != nil, "the page never showed maintenance on and the banner; last DOM:\n\(dom.prefix(4000))")
        #expect(dom.contains(#"<div id="maintenance" class="notice maintenance">"#), "the maintenance notice should be visible")
    }

    /// The opening tag of a member's row, as the page's script builds it.
    static func memberRow(_ name: String, status: String, serving: String) -> String {
        #"<tr data-member="\#(name)" data-status="\#(status)" data-serving="\#(serving)">"#
    }

    /// The DOM after the page loaded and its first requests ran, or "" when Chromium failed.
    /// No --virtual-time-budget: virtual time waits for pending requests, and the page's event
    /// stream never ends. The caller polls instead, so a slow first fetch costs a retry.
    static func render(_ url: String, with chromium: URL) async -> String {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let result = try? await ExternalTool.run(chromium, [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
            "--timeout=5000", "--dump-dom", url,
        ], timeout: .seconds(30))
        return result?.output ?? ""
    }
}
