import Foundation
import Testing

/// N real agents on random loopback ports, joined and all passing their load-balancer check:
/// the starting point of the operations tests (load balancer, status page). Everything lives in
/// one temporary workspace, removed by `stop()`.
final class ServingCluster: @unchecked Sendable {
    let workspace: URL
    let trust: URL
    let agents: [AgentProcess]

    /// Ports `base ..< base + 2N` go to the agents; tests may use ports from `base + 100` on.
    let base: Int

    init(nodes: Int, label: String) throws {
        workspace = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        trust = workspace.appendingPathComponent("trust")
        base = Int.random(in: 20_000...50_000)
        agents = (0..<nodes).map { [workspace, base] index in
            AgentProcess(name: "node-\(index + 1)", gossipPort: base + 2 * index, httpPort: base + 2 * index + 1,
                         dataDirectory: workspace.appendingPathComponent("data-\(index + 1)"))
        }
    }

    /// Starts every agent (all join the first) and waits until each answers 200 on /v1/health/lb.
    func start() async throws {
        try runChorus(["keys", "init", "--dir", trust.path])
        for agent in agents { try agent.start(join: agent === agents[0] ? nil : base, trust: trust) }
        let serving = await eventually(within: .seconds(20)) {
            for agent in agents where await agent.status(of: "/v1/health/lb") != 200 { return false }
            return true
        }
        try #require(serving != nil, "\(agents.count) agents did not all pass their load-balancer check within 20 s")
    }

    func stop() {
        for agent in agents { agent.kill(SIGKILL) }
        try? FileManager.default.removeItem(at: workspace)
    }
}

extension AgentProcess {
    /// A mutation with this agent's admin token and an optional JSON body; returns the status code,
    /// or nil when the agent did not answer.
    func mutate(_ method: String, _ path: String, json: String? = nil) async throws -> Int? {
        let token = try String(contentsOf: dataDirectory.appendingPathComponent("admin.token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var headers = ["Authorization": "Bearer \(token)"]
        if json != nil { headers["Content-Type"] = "application/json" }
        return await fetch("http://127.0.0.1:\(httpPort)\(path)", method: method, headers: headers,
                           body: json.map { Data($0.utf8) })?.status
    }
}
