import Foundation
import Testing
import ChorusTesting

/// Issue 16, item 5 with real agents: a running agent told to join through another seed, and a
/// join storm of 25 agents with a `*` hook, whose forks are counted.
@Suite(.serialized) struct JoinAndHooksProcessTests {
    /// node-2 starts with a seed nobody listens on, as after a typo; `chorus join` fixes it
    /// without a restart.
    @Test func aRunningAgentJoinsThroughAnotherSeed() async throws {
        let cluster = try ProcessCluster(count: 2, label: "join")
        defer { cluster.stop() }
        let (first, second) = (cluster.agents[0], cluster.agents[1])
        try first.start(join: nil, trust: cluster.trust)
        try second.start(joining: ["127.0.0.1:\(cluster.base + 100)"], trust: cluster.trust)
        let up = await eventually(within: .seconds(10)) {
            let firstUp = await first.status(of: "/v1/health") == 200
            let secondUp = await second.status(of: "/v1/health") == 200
            return firstUp && secondUp
        }
        try #require(up != nil)
        #expect(await second.members()?.count == 1, "node-2 must be alone before the join")

        let joined = try second.runClientReadingOutput(["join", "127.0.0.1:\(first.gossipPort)"])
        #expect(joined.status == 0)
        #expect(joined.output.contains("node-2 joined: 2 members alive"), "\(joined.output)")
        let together = await eventually(within: .seconds(10)) {
            await first.members()?.filter { $0.status == "alive" }.count == 2
        }
        #expect(together != nil, "node-1 does not see node-2 after the join")
        #expect(try second.runClient(["join", "127.0.0.1:\(cluster.base + 101)"]) == 1, "nobody answers there: 504, exit 1")
    }

    /// Every agent's hook appends its batch size; with coalescing, 24 member-joins and what else
    /// comes reach each agent's hook in a handful of processes (issue 16: one process per event
    /// per agent drove the load average to 81), and every journaled event is delivered once.
    @Test func aJoinStormForksABoundedNumberOfHooks() async throws {
        let cluster = try ProcessCluster(count: 25, label: "hook-storm")
        defer { cluster.stop() }
        func forksLog(_ agent: AgentProcess) -> URL { cluster.workspace.appendingPathComponent("forks-\(agent.name).log") }
        for agent in cluster.agents {
            let hook = "*=echo $CHORUS_EVENT_COUNT >> \(forksLog(agent).path); cat > /dev/null"
            try agent.start(join: agent === cluster.agents[0] ? nil : cluster.base, trust: cluster.trust,
                            environment: ["CHORUS_EVENTS_HOOKS": hook])
        }
        let converged = await eventually(within: .seconds(60)) {
            await cluster.agents.asyncAllSatisfy { await $0.members()?.filter { $0.status == "alive" }.count == 25 }
        }
        try #require(converged != nil, "25 agents did not all see each other alive within 60 s")

        func batches(_ agent: AgentProcess) -> [Int] {
            ((try? String(contentsOf: forksLog(agent), encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Int($0) }
        }
        // Quiet now: every agent's hook has had every event its journal holds.
        let delivered = await eventually(within: .seconds(15)) {
            await cluster.agents.asyncAllSatisfy { await batches($0).reduce(0, +) == $0.eventNames().count }
        }
        var report: [String] = []
        for agent in cluster.agents { report.append("\(agent.name): \(batches(agent)) of \(await agent.eventNames().count)") }
        #expect(delivered != nil, "hooks did not get every event once: \(report)")
        for agent in cluster.agents {
            #expect(batches(agent).reduce(0, +) >= 24, "\(agent.name) saw fewer than 24 member-joins: \(report)")
            #expect(batches(agent).count <= 12, "\(agent.name) forked \(batches(agent).count) hooks: \(report)")
        }
    }
}
