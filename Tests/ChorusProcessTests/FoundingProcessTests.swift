import Foundation
import Testing
import ChorusTesting

/// One shared configuration for every agent (the same `join` list, `[cluster] founder`), as a
/// DaemonSet or a compose file gives it: one cluster forms, and a founder that comes back with
/// an empty data directory joins it instead of founding a second one.
@Suite(.serialized) struct FoundingProcessTests {
    @Test func sharedConfigurationFormsOneClusterAndAFounderRebornJoinsIt() async throws {
        let cluster = try ProcessCluster(count: 3, label: "founding")
        defer { cluster.stop() }
        let agents = cluster.agents
        let everyone = agents.map { "127.0.0.1:\($0.gossipPort)" }
        let shared = ["CHORUS_CLUSTER_FOUNDER": "node-2"]
        for agent in agents { try agent.start(joining: everyone, trust: cluster.trust, environment: shared) }

        func oneCluster(of members: [AgentProcess], voters: Int) async -> Bool {
            var logs: Set<Int> = []
            for agent in members {
                guard let cluster = await agent.json("/v1/cluster"), (cluster["voters"] as? [String])?.count == voters,
                      let decisions = cluster["decisions"] as? Int else { return false }
                logs.insert(decisions)
            }
            return logs.count == 1
        }
        let formed = await eventually(within: .seconds(20)) { await oneCluster(of: agents, voters: 3) }
        #expect(formed != nil, "the shared configuration did not form one cluster of three voters within 20 s")

        // The founder's host is rebuilt: kill -9, empty data directory, same configuration.
        agents[1].kill(SIGKILL)
        _ = await agents[1].waitForExit(timeout: .seconds(5))
        try FileManager.default.removeItem(at: agents[1].dataDirectory)
        try agents[1].start(joining: everyone, trust: cluster.trust, environment: shared)
        // The reborn node-2 is a new key: admitted as a fourth voter of the same cluster, never a founder.
        let rejoined = await eventually(within: .seconds(20)) { await oneCluster(of: agents, voters: 4) }
        #expect(rejoined != nil, "the reborn founder did not join the existing cluster")
        // Both node-2 keys are voters of the one log: the dead one until an operator removes it.
        let voters = await agents[0].json("/v1/cluster")?["voters"] as? [String]
        #expect(voters == ["node-1", "node-2", "node-2", "node-3"])
    }
}
