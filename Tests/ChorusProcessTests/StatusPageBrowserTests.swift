import Foundation
import Testing
import ChorusTesting

/// The status page (`GET /`) rendered by headless Chromium against three real agents: the DOM,
/// after the page's JavaScript ran, shows that cluster's members, versions, liveness and state,
/// and follows them live.
@Suite(.serialized) struct StatusPageBrowserTests {
    @Test func pageShowsTheClusterMembersDrainMaintenanceAndBanner() async throws {
        let chromium = try ExternalTool.require("chromium", package: "chromium")
        let cluster = try ProcessCluster(count: 3, label: "status-page")
        defer { cluster.stop() }
        try await cluster.startServing()
        let browser = try HeadlessChromium(chromium)
        defer { browser.stop() }
        let page = try browser.load("http://127.0.0.1:\(cluster.agents[0].httpPort)/")

        // Each look reloads the page in one running browser: what a fresh load renders, without
        // the cost of starting Chromium per look, which a busy CI machine could not afford.
        var dom = ""
        let rendered = await eventually(within: .seconds(60)) {
            dom = await Self.freshDOM(of: page, in: browser)
            // Admission (a decision) may follow the members' arrival by a moment: both are awaited.
            return dom.contains(#"data-loaded="yes""#) && dom.contains(#"<dd id="quorum">2 of 3 voters</dd>"#)
                && cluster.agents.allSatisfy { dom.contains(Self.memberRow($0.name, status: "alive", serving: "serving")) }
        }
        #expect(rendered != nil, "the page never showed three alive, serving voters; last DOM:\n\(dom.prefix(4000))")
        #expect(dom.contains(#"<dd id="cluster-state" class="state-STABLE">STABLE</dd>"#))
        #expect(dom.contains(#"<dd id="quorum">2 of 3 voters</dd>"#))
        #expect(dom.contains(#"<dd id="cluster-version">1.0.0</dd>"#))
        #expect(dom.contains(#"<dd id="maintenance-state">off</dd>"#))
        #expect(dom.contains(#"<dd id="banner-state">none</dd>"#))
        #expect(dom.contains("node-1 · 1.0.0"), "the heading should name the agent serving the page")

        // A drain at another node reaches this agent by gossip and then the page.
        #expect(try await cluster.agents[2].mutate("POST", "/v1/node/drain") == 200)
        let drained = await eventually(within: .seconds(60)) {
            dom = await Self.freshDOM(of: page, in: browser)
            return dom.contains(Self.memberRow("node-3", status: "alive", serving: "draining"))
        }
        #expect(drained != nil, "the page never showed node-3 draining; last DOM:\n\(dom.prefix(4000))")

        // Cluster-wide settings, decided through other agents, shown with their messages.
        #expect(try cluster.agents[1].runClient(["maintenance", "on", "--message", "Backup until 02:00"]) == 0)
        #expect(try cluster.agents[2].runClient(["banner", "set", "Upgrade tonight", "--level", "warning"]) == 0)
        let settings = await eventually(within: .seconds(60)) {
            dom = await Self.freshDOM(of: page, in: browser)
            return dom.contains(#"<dd id="maintenance-state">on</dd>"#)
                && dom.contains(#"<span id="maintenance-message">Backup until 02:00</span>"#)
                && dom.contains(#"<dd id="banner-state">warning: Upgrade tonight</dd>"#)
        }
        #expect(settings != nil, "the page never showed maintenance on and the banner; last DOM:\n\(dom.prefix(4000))")
        #expect(dom.contains(#"<div id="maintenance" class="notice maintenance">"#), "the maintenance notice should be visible")
    }

    /// One page load followed through a failure and two settings: what the page's script makes of
    /// `/v1/events` and its re-reads, which a fresh load per look (`render`) cannot show.
    @Test func pageFollowsTheClusterLiveWithoutReloading() async throws {
        let chromium = try ExternalTool.require("chromium", package: "chromium")
        let cluster = try ProcessCluster(count: 3, label: "status-page-live")
        defer { cluster.stop() }
        try await cluster.startServing()
        let browser = try HeadlessChromium(chromium)
        defer { browser.stop() }
        let page = try browser.load("http://127.0.0.1:\(cluster.agents[0].httpPort)/")
        var view: PageView?
        func look() -> PageView? {
            view = try? browser.value(of: PageView.script, as: PageView.self, in: page)
            return view
        }
        var shown: String { view?.description ?? "nothing readable" }

        // Both the first read and the event stream done: the rows are filled and "live" is said.
        let loaded = await eventually(within: .seconds(30)) {
            guard let view = look() else { return false }
            return view.connection == "live" && view.rows.count == 3
                && view.rows.allSatisfy { $0.status == "alive" && $0.serving == "serving" }
        }
        try #require(loaded != nil, "the page never showed three alive, serving members and a live stream: \(shown)")
        #expect(view?.connectionState == "live", "the indicator should be in its connected state: \(shown)")
        #expect(view?.error == "", "nothing should be shown as an error beside a live stream: \(shown)")
        // A reload would lose this; the last step checks it is still there.
        _ = try browser.value(of: "window.chorusTestLoadMark = 'first load'", as: String.self, in: page)

        cluster.agents[2].kill(SIGKILL)
        let declaredDead = await eventually(within: .seconds(30)) {
            look()?.rows.first { $0.name == "node-3" }?.status == "dead"
        }
        #expect(declaredDead != nil, "the page never showed node-3 dead: \(shown)")
        if declaredDead != nil {
            #expect(view?.rows.first { $0.name == "node-3" }?.serving == "—",
                    "a dead member serves nothing: \(shown)")
            #expect(view?.events.contains { $0.contains("member-failed") && $0.contains("node-3 dead") } == true,
                    "the event list should name the failed member: \(shown)")
        }

        // The message is markup on purpose: the page must show it as text and run none of it.
        let message = #"<img src=x onerror="document.body.dataset.injected='yes'">Backup until 02:00"#
        let maintenance = String(decoding: try JSONSerialization.data(withJSONObject: ["message": message]), as: UTF8.self)
        #expect(try await cluster.agents[1].mutate("PUT", "/v1/maintenance", json: maintenance) == 200)
        #expect(try await cluster.agents[0].mutate("PUT", "/v1/banner", json: #"{"message":"Upgrade tonight","level":"warning"}"#) == 200)
        let listed = await eventually(within: .seconds(30)) {
            guard let events = look()?.events else { return false }
            return events.contains { $0.contains("maintenance-on") && $0.contains(message) }
                && events.contains { $0.contains("banner-changed") && $0.contains("warning: Upgrade tonight") }
        }
        #expect(listed != nil, "the event list never showed the maintenance message and the banner: \(shown)")
        #expect(view?.images == 0, "the maintenance message was inserted as markup: \(shown)")
        #expect(view?.injected == nil, "markup from the maintenance message ran")
        #expect(view?.loadMark == "first load", "the page was reloaded; the test is about live updates")

        // The agent serving the page is gone: the indicator must stop saying live.
        cluster.agents[0].kill(SIGKILL)
        let reconnecting = await eventually(within: .seconds(30)) { look()?.connectionState == "reconnecting" }
        #expect(reconnecting != nil, "the indicator never showed the lost stream: \(shown)")
    }

    /// What the page shows, read from its DOM in one evaluation.
    struct PageView: Decodable, CustomStringConvertible {
        struct Row: Decodable {
            let name: String
            let status: String
            let serving: String
        }

        /// The indicator's `data-state`; absent on a page without one.
        let connectionState: String?
        let connection: String
        /// The alert's text, "" while it is hidden.
        let error: String
        let rows: [Row]
        /// Each event item's text, newest first.
        let events: [String]
        /// `<img>` elements in the whole document; the page has none of its own.
        let images: Int
        /// Set only if markup from an event ran.
        let injected: String?
        /// Set by the test after the first load; gone after a reload.
        let loadMark: String?

        var description: String {
            "indicator \(connectionState ?? "without a state") \"\(connection)\", error \"\(error)\", "
                + "members \(rows.map { "\($0.name) \($0.status) \($0.serving)" }), events \(events)"
        }

        static let script = """
            (() => {
              const connection = document.getElementById("connection"), error = document.getElementById("error");
              return {
                connectionState: connection.dataset.state, connection: connection.textContent,
                error: error.hidden ? "" : error.textContent,
                rows: [...document.querySelectorAll("#members tbody tr")].map((row) =>
                  ({ name: row.cells[0].textContent, status: row.cells[1].textContent, serving: row.cells[3].textContent })),
                events: [...document.querySelectorAll("#events li")].map((item) => item.textContent),
                images: document.images.length,
                injected: document.body.dataset.injected,
                loadMark: window.chorusTestLoadMark,
              };
            })()
            """
    }

    /// The opening tag of a member's row, as the page's script builds it.
    static func memberRow(_ name: String, status: String, serving: String) -> String {
        // The row's attributes go on (data-health): the ones named here are its first.
        #"<tr data-member="\#(name)" data-status="\#(status)" data-serving="\#(serving)""#
    }

    /// The DOM after a reload of `page` and its first requests ran, or "" when that did not happen
    /// within 15 s. The mark set before the reload tells the new document from the old one.
    static func freshDOM(of page: HeadlessChromium.Page, in browser: HeadlessChromium) async -> String {
        guard (try? browser.value(of: #"(window.chorusLook = 1, location.reload(), "reloading")"#, as: String.self, in: page)) != nil
        else { return "" }
        let loadedDOM = #"""
            (window.chorusLook === undefined && document.body && document.body.dataset.loaded === "yes")
              ? document.documentElement.outerHTML : ""
            """#
        var dom = ""
        _ = await eventually(within: .seconds(15)) {
            dom = (try? browser.value(of: loadedDOM, as: String.self, in: page)) ?? ""
            return !dom.isEmpty
        }
        return dom
    }
}
