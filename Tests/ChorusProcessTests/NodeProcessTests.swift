import Foundation
import Testing
import ChorusTesting

/// Drain, undrain and leave through the CLI on real agents (SPEC §6, §9).
@Suite(.serialized) struct NodeProcessTests {
    /// A certificate 3 days from expiry is announced on every channel an operator watches
    /// (SPEC §2, Certificate lifecycle; issue 15: expiry was silent until peers cut the node off).
    @Test func aCertificateAboutToExpireIsAnnounced() async throws {
        let cluster = try ProcessCluster(count: 1, label: "expiring")
        defer { cluster.stop() }
        let agent = cluster.agents[0]
        try cluster.startAll()  // makes node.key
        let up = await eventually(within: .seconds(10)) { await agent.status(of: "/v1/health") == 200 }
        try #require(up != nil)
        agent.kill(SIGTERM)
        _ = await agent.waitForExit(timeout: .seconds(5))
        let certificate = cluster.workspace.appendingPathComponent("node-1.cert")
        try runChorus([
            "keys", "issue", "--authority-key", cluster.trust.appendingPathComponent("authority.key").path, "--name", "node-1",
            "--public-key", agent.dataDirectory.appendingPathComponent("node.key").path, "--valid-days", "3",
            "--out", certificate.path,
        ])
        try agent.start(join: nil, trust: cluster.trust, environment: [
            "CHORUS_CERTIFICATE": certificate.path,
            "CHORUS_AUTHORITY": cluster.trust.appendingPathComponent("authority.pub").path,
        ])
        let degraded = await eventually(within: .seconds(10)) { await agent.json("/v1/health")?["status"] as? String == "degraded" }
        let health = await agent.json("/v1/health")
        #expect(degraded != nil, "\(String(describing: health))")
        let detail = (health?["checks"] as? [[String: Any]])?.first?["detail"] as? String ?? ""
        #expect(detail.contains("this node's (node-1) certificate expires") && (detail.contains("(in 2 days)") || detail.contains("(in 3 days)")), "\(detail)")
        #expect(await agent.eventNames().contains("certificate-expiring"))
        #expect(await agent.text("/metrics")?.contains("chorus_certificates_expiring 1") == true)
        #expect(await agent.status(of: "/v1/health/lb") == 200, "expiring is not expired")
        let log = try String(contentsOf: cluster.workspace.appendingPathComponent("node-1.log"), encoding: .utf8)
        #expect(log.contains("certificate expiring"))
    }

    /// A state file damaged while the agent was down stops the next start with the file's name
    /// and what to do, not with a crash (issue 15: "Illegal instruction", no file named).
    @Test func aDamagedStateFileStopsTheStartByName() async throws {
        let cluster = try ProcessCluster(count: 1, label: "damaged")
        defer { cluster.stop() }
        let agent = cluster.agents[0]
        try cluster.startAll()
        let up = await eventually(within: .seconds(10)) { await agent.status(of: "/v1/health/lb") == 200 }
        try #require(up != nil)
        agent.kill(SIGKILL)
        _ = await agent.waitForExit(timeout: .seconds(5))
        let incarnation = agent.dataDirectory.appendingPathComponent("incarnation")
        var bytes = try Data(contentsOf: incarnation)
        bytes[bytes.count - 2] ^= 0x01
        try bytes.write(to: incarnation)
        try agent.start(join: nil, trust: cluster.trust)
        let status = await agent.waitForExit(timeout: .seconds(10))
        #expect(status != nil && status != 0, "the agent started on a damaged incarnation file")
        let log = try String(contentsOf: agent.dataDirectory.deletingLastPathComponent().appendingPathComponent("node-1.log"), encoding: .utf8)
        #expect(log.contains(incarnation.path) && log.contains("checksum"), "\(log.suffix(600))")
        #expect(!log.contains("Fatal error"))
    }

    /// A start that fails after the gossip socket is bound ends with the reason and exit 1, not
    /// with a trap of the dropped socket ("Illegal instruction", exit 132).
    @Test func anAdvertiseAddressThatDoesNotResolveStopsTheStartWithTheReason() async throws {
        let cluster = try ProcessCluster(count: 1, label: "advertise")
        defer { cluster.stop() }
        let agent = cluster.agents[0]
        try agent.start(joining: [], trust: cluster.trust, environment: ["CHORUS_ADVERTISE": "no-such-host.invalid:7720"])
        let status = await agent.waitForExit(timeout: .seconds(10))
        #expect(status == 1, "exit status \(String(describing: status))")
        #expect(agent.log.contains("cannot resolve --advertise no-such-host.invalid:7720"), "\(agent.log.suffix(600))")
    }

    @Test func drainIsGossipedSurvivesKillAndUndrains() async throws {
        let cluster = try ProcessCluster(count: 3, label: "drain")
        defer { cluster.stop() }
        let (agents, base, trust) = (cluster.agents, cluster.base, cluster.trust)
        try cluster.startAll()
        let serving = await eventually(within: .seconds(15)) {
            for agent in agents where await agent.status(of: "/v1/health/lb") != 200 { return false }
            return true
        }
        #expect(serving != nil, "three agents did not all pass their load-balancer check within 15 s")

        func node2(isSeenAs state: String, by observers: ArraySlice<AgentProcess>) async -> Bool {
            for observer in observers where await observer.members()?.first(where: { $0.name == "node-2" })?.serving != state {
                return false
            }
            return true
        }

        #expect(try agents[1].runClient(["drain"]) == 0)
        #expect(await agents[1].status(of: "/v1/health/lb") == 503)
        let gossiped = await eventually(within: .seconds(5)) { await node2(isSeenAs: "draining", by: agents[...]) }
        #expect(gossiped != nil, "node-2's drain not seen by every agent within 5 s")

        agents[1].kill(SIGKILL)
        _ = await agents[1].waitForExit(timeout: .seconds(5))
        try agents[1].start(join: base, trust: trust)
        let restartedDraining = await eventually(within: .seconds(15)) {
            guard await agents[1].status(of: "/v1/health/lb") == 503 else { return false }
            return await node2(isSeenAs: "draining", by: agents[...])
        }
        #expect(restartedDraining != nil, "node-2 restarted after kill -9 is not draining everywhere")

        #expect(try agents[1].runClient(["undrain"]) == 0)
        let undrained = await eventually(within: .seconds(5)) {
            guard await agents[1].status(of: "/v1/health/lb") == 200 else { return false }
            return await node2(isSeenAs: "serving", by: agents[...])
        }
        #expect(undrained != nil, "node-2 undrained is not serving everywhere within 5 s")

        #expect(try agents[2].runClient(["leave"]) == 0)
        #expect(await agents[2].waitForExit(timeout: .seconds(10)) == 0, "chorus leave should stop the agent cleanly")
        let left = await eventually(within: .seconds(5)) {
            for agent in agents[0...1] where await agent.members()?.first(where: { $0.name == "node-3" })?.status != "left" {
                return false
            }
            return true
        }
        #expect(left != nil, "node-3's leave not seen as left by the others within 5 s")
    }
}
