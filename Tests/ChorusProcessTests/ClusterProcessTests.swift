import Foundation
import Testing
import ChorusTesting

/// Real `chorus agent` processes on loopback: the whole stack, UDP and HTTP included.
@Suite(.serialized) struct ClusterProcessTests {
    /// kill -9 detection bound for the lan preset at N = 5 (target median 2.5 s, see docs/benchmarks.md).
    static let detectionBound: Duration = .seconds(6)

    @Test func fiveAgentsDetectDeathLeaveAndRestart() async throws {
        let cluster = try ProcessCluster(count: 5, label: "process")
        defer { cluster.stop() }
        let (agents, base, trust) = (cluster.agents, cluster.base, cluster.trust)
        try cluster.startAll()

        func everySurvivor(sees name: String, as status: String, excluding gone: Set<String>) async -> Bool {
            for agent in agents where !gone.contains(agent.name) {
                guard let members = await agent.members(),
                      members.first(where: { $0.name == name })?.status == status else { return false }
            }
            return true
        }

        let converged = await eventually(within: .seconds(15)) {
            for agent in agents {
                guard let members = await agent.members(), members.count == 5,
                      members.allSatisfy({ $0.status == "alive" }) else { return false }
            }
            return true
        }
        let afterJoin = await views(of: agents)
        #expect(converged != nil, "5 agents did not all see 5 alive within 15 s: \(afterJoin)")

        agents[2].kill(SIGKILL)
        let detected = await eventually(within: Self.detectionBound) {
            await everySurvivor(sees: "node-3", as: "dead", excluding: ["node-3"])
        }
        #expect(detected != nil, "kill -9 of node-3 not seen as dead by every survivor within \(Self.detectionBound)")

        agents[3].kill(SIGTERM)
        let exitStatus = await agents[3].waitForExit(timeout: .seconds(5))
        #expect(exitStatus == 0, "SIGTERM should exit cleanly, got \(String(describing: exitStatus))")
        // A clean stop is quiet (issue 16: every stop logged "CancellationError() gossip socket failed").
        let warnings = agents[3].log.split(separator: "\n").filter { $0.contains("gossip socket") || $0.contains("CancellationError") }
        #expect(warnings.isEmpty, "a graceful stop logged: \(warnings)")
        let left = await eventually(within: .seconds(3)) {
            await everySurvivor(sees: "node-4", as: "left", excluding: ["node-3", "node-4"])
        }
        #expect(left != nil, "graceful leave of node-4 not seen as left everywhere within 3 s")

        try agents[2].start(join: base, trust: trust)
        let back = await eventually(within: .seconds(10)) {
            guard await everySurvivor(sees: "node-3", as: "alive", excluding: ["node-4"]) else { return false }
            let view = await agents[0].members()?.first { $0.name == "node-3" }
            return (view?.incarnation ?? 0) > 1
        }
        #expect(back != nil, "restarted node-3 not alive everywhere with a higher incarnation within 10 s")
        // The graceful leave was never mistaken for a failure.
        #expect(await agents[0].members()?.first { $0.name == "node-4" }?.status == "left")
    }

    /// A send error closes a NIO datagram socket; the agent must rebind it and skip the bad
    /// destination, not go silent. Sending to 255.255.255.255 without SO_BROADCAST fails (EACCES).
    @Test func aSeedThatCannotBeSentToDoesNotSilenceTheAgent() async throws {
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        let trust = workspace.appendingPathComponent("trust")
        try runChorus(["keys", "init", "--dir", trust.path])
        let base = TestPorts.randomBase()
        let seed = AgentProcess(name: "seed", gossipPort: base, httpPort: base + 1,
                                dataDirectory: workspace.appendingPathComponent("seed"))
        let joiner = AgentProcess(name: "joiner", gossipPort: base + 2, httpPort: base + 3,
                                  dataDirectory: workspace.appendingPathComponent("joiner"))
        defer {
            seed.kill(SIGKILL)
            joiner.kill(SIGKILL)
            try? FileManager.default.removeItem(at: workspace)
        }
        try seed.start(join: nil, trust: trust)
        try joiner.start(joining: ["255.255.255.255:9", "127.0.0.1:\(base)"], trust: trust)
        let joined = await eventually(within: .seconds(15)) {
            for agent in [seed, joiner] {
                guard let members = await agent.members(), members.count == 2,
                      members.allSatisfy({ $0.status == "alive" }) else { return false }
            }
            return true
        }
        #expect(joined != nil, "the joiner did not join through the good seed within 15 s")
        #expect(joiner.isRunning)
    }

    /// Each agent's view, for failure messages: "node-1: node-1 alive, node-2 suspect | ...".
    private func views(of agents: [AgentProcess]) async -> String {
        var lines: [String] = []
        for agent in agents {
            let members = await agent.members()
            lines.append("\(agent.name): " + (members?.map { "\($0.name) \($0.status)" }.joined(separator: ", ") ?? "no answer"))
        }
        return lines.joined(separator: " | ")
    }

}
