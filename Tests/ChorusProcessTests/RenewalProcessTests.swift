import Foundation
import Testing
import ChorusTesting

/// Renewing a whole cluster's certificates is one rolling step with no restart (SPEC §2,
/// Certificate lifecycle; issue 15: "Renewal needs a restart of every agent").
@Suite(.serialized) struct RenewalProcessTests {
    /// Three agents on certificates valid for 40 s; each in turn gets `chorus keys renew` and
    /// `chorus reload`. Past the old expiry every agent still sees every member alive, reports
    /// the renewed expiries and takes traffic.
    @Test func aClusterRenewedNodeByNodeOutlivesItsOldCertificates() async throws {
        let cluster = try ProcessCluster(count: 3, label: "renew")
        defer { cluster.stop() }
        let authorityKey = cluster.trust.appendingPathComponent("authority.key").path
        // A first start in development mode makes each node.key; the agents then restart on
        // short-lived certificates issued for those keys.
        try cluster.startAll()
        for agent in cluster.agents {
            let up = await eventually(within: .seconds(15)) { await agent.status(of: "/v1/health") == 200 }
            try #require(up != nil)
        }
        for agent in cluster.agents { agent.kill(SIGKILL) }
        for agent in cluster.agents { _ = await agent.waitForExit(timeout: .seconds(5)) }
        func certificate(of agent: AgentProcess) -> URL { cluster.workspace.appendingPathComponent("\(agent.name).cert") }
        for agent in cluster.agents {
            try runChorus(["keys", "issue", "--authority-key", authorityKey, "--name", agent.name,
                           "--public-key", agent.dataDirectory.appendingPathComponent("node.key").path,
                           "--expires", "40s", "--out", certificate(of: agent).path])
        }
        let oldExpiry = Date().addingTimeInterval(40)
        for agent in cluster.agents {
            try agent.start(join: agent === cluster.agents[0] ? nil : cluster.base, trust: cluster.trust, environment: [
                "CHORUS_CERTIFICATE": certificate(of: agent).path,
                "CHORUS_AUTHORITY": cluster.trust.appendingPathComponent("authority.pub").path,
            ])
        }
        let names = Set(cluster.agents.map(\.name))
        func everyoneAlive() async -> Bool {
            for agent in cluster.agents {
                guard let members = await agent.members(),
                      Set(members.filter { $0.status == "alive" }.map(\.name)) == names else { return false }
            }
            return true
        }
        let formed = await eventually(within: .seconds(20)) { await everyoneAlive() }
        let formation = await views(of: cluster.agents)
        try #require(formed != nil, "the cluster did not form: \(formation)")

        // Rolling: renew one node, reload it, wait until every member holds its renewal.
        for agent in cluster.agents {
            try runChorus(["keys", "renew", "--authority-key", authorityKey, "--certificate", certificate(of: agent).path,
                           "--expires", "1h"])
            let (status, output) = try agent.runClientReadingOutput(["reload", "--json"])
            #expect(status == 0, "chorus reload on \(agent.name): \(output)")
            let answer = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
            #expect(answer?["certificateRenewed"] as? Bool == true, "\(output)")
            let renewedExpiry = try #require(answer?["certificateExpiresAt"] as? String)
            let spread = await eventually(within: .seconds(10)) {
                for peer in cluster.agents {
                    let seen = await peer.expiries()
                    guard seen[agent.name] == renewedExpiry else { return false }
                }
                return true
            }
            #expect(spread != nil, "\(agent.name)'s renewal did not reach every member")
        }
        #expect(Date() < oldExpiry, "the renewals took longer than the old certificates lived")

        // Past the old expiry, watched every half second: nobody suspected, nobody dead.
        var lapses: [String] = []
        while Date() < oldExpiry.addingTimeInterval(8) {
            if !(await everyoneAlive()) { lapses.append(await views(of: cluster.agents)) }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(lapses.isEmpty, "members not alive past the old expiry: \(lapses.prefix(3))")
        for agent in cluster.agents {
            #expect(await agent.status(of: "/v1/health/lb") == 200, "\(agent.name) takes no traffic")
        }

        // Another node's certificate is refused, and nothing changes; SIGHUP reloads as `chorus reload` does.
        let first = cluster.agents[0]
        let inUse = await first.expiries()[first.name]
        let own = try Data(contentsOf: certificate(of: first))
        try FileManager.default.copyItem(at: certificate(of: cluster.agents[1]),
                                         to: cluster.workspace.appendingPathComponent("stolen.cert"))
        try Data(contentsOf: cluster.workspace.appendingPathComponent("stolen.cert")).write(to: certificate(of: first))
        #expect(try first.runClient(["reload"]) == 1)
        #expect(await first.expiries()[first.name] == inUse)
        try own.write(to: certificate(of: first))
        try runChorus(["keys", "renew", "--authority-key", authorityKey, "--certificate", certificate(of: first).path,
                       "--expires", "2h"])
        first.kill(SIGHUP)
        let reloaded = await eventually(within: .seconds(5)) {
            let now = await first.expiries()[first.name]
            return now != nil && now != inUse
        }
        #expect(reloaded != nil && first.isRunning, "SIGHUP did not reload node-1")
    }

    private func views(of agents: [AgentProcess]) async -> String {
        var lines: [String] = []
        for agent in agents {
            let members = await agent.members()?.map { "\($0.name)=\($0.status)" }.joined(separator: ",") ?? "no answer"
            lines.append("\(agent.name): \(members)")
        }
        return lines.joined(separator: "; ")
    }
}

extension AgentProcess {
    /// Each member's `certificateExpiresAt` as this agent reports it in /v1/members.
    func expiries() async -> [String: String] {
        guard let answer = await get("/v1/members"),
              let members = (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [[String: Any]] else { return [:] }
        var expiries: [String: String] = [:]
        for member in members {
            if let name = member["name"] as? String, let expiry = member["certificateExpiresAt"] as? String { expiries[name] = expiry }
        }
        return expiries
    }
}
