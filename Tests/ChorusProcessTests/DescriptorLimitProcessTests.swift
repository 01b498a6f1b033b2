import Foundation
import Testing
import ChorusTesting

/// An agent that runs out of descriptors is killed by libdispatch (SIGILL: its worker-pool
/// monitor cannot open /proc/<tid>/stat), so the agent takes its whole hard RLIMIT_NOFILE at
/// start and refuses to start when even that is below what it needs (issue 15).
@Suite(.serialized) struct DescriptorLimitProcessTests {
    @Test func theAgentRaisesItsSoftDescriptorLimitToTheHardOne() async throws {
        let cluster = try ProcessCluster(count: 1, label: "nofile-raise")
        defer { cluster.stop() }
        let agent = cluster.agents[0]
        let process = try startLimited(agent, nofile: "100:4096", trust: cluster.trust)
        defer { kill(process.processIdentifier, SIGKILL) }
        let healthy = await eventually(within: .seconds(15)) { await agent.status(of: "/v1/health") == 200 }
        try #require(healthy != nil, "the agent did not start")
        let limits = try String(contentsOfFile: "/proc/\(process.processIdentifier)/limits", encoding: .utf8)
        let openFiles = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }
        #expect(openFiles?.split(separator: " ").dropFirst(3).prefix(2) == ["4096", "4096"], "\(String(describing: openFiles))")
    }

    @Test func belowWhatItNeedsTheAgentRefusesToStart() async throws {
        let cluster = try ProcessCluster(count: 1, label: "nofile-refuse")
        defer { cluster.stop() }
        let process = try startLimited(cluster.agents[0], nofile: "128:128", trust: cluster.trust)
        defer { kill(process.processIdentifier, SIGKILL) }
        let exited = await eventually(within: .seconds(15)) { !process.isRunning }
        try #require(exited != nil, "the agent runs with 128 descriptors, fewer than its HTTP cap of 256")
        #expect(process.terminationReason == .exit && process.terminationStatus != 0,
                "reason \(process.terminationReason.rawValue), status \(process.terminationStatus)")
    }

    /// `chorus agent` under `prlimit --nofile=SOFT:HARD`, which sets the limit and execs the agent.
    private func startLimited(_ agent: AgentProcess, nofile: String, trust: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
        process.arguments = ["--nofile=\(nofile)", "--", AgentProcess.binary.path, "agent", "--name", agent.name,
                             "--bind", "127.0.0.1:\(agent.gossipPort)", "--http", "127.0.0.1:\(agent.httpPort)",
                             "--data-dir", agent.dataDirectory.path,
                             "--authority-key", trust.appendingPathComponent("authority.key").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}
