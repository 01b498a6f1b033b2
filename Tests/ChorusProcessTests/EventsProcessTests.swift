import Foundation
import Testing

/// `chorus events --follow` against a real agent: it prints events as they happen, and an open
/// stream does not keep the agent from stopping.
@Suite(.serialized) struct EventsProcessTests {
    @Test func followPrintsEventsAndEndsWhenTheAgentStops() async throws {
        let cluster = try ProcessCluster(count: 2, label: "events")
        defer { cluster.stop() }
        let (first, second, base, trust) = (cluster.agents[0], cluster.agents[1], cluster.base, cluster.trust)
        try first.start(join: nil, trust: trust)
        #expect(await eventually(within: .seconds(10)) { await first.members() != nil } != nil)

        let follower = Process()
        follower.executableURL = AgentProcess.binary
        follower.arguments = ["events", "--follow", "--json", "--http-addr", "127.0.0.1:\(base + 1)"]
        let output = Pipe()
        follower.standardOutput = output
        try follower.run()
        defer { if follower.isRunning { follower.terminate() } }

        try second.start(join: base, trust: trust)
        #expect(await eventually(within: .seconds(10)) { await first.members()?.count == 2 } != nil)
        try await Task.sleep(for: .milliseconds(500))

        first.kill(SIGTERM)
        let status = await first.waitForExit(timeout: .seconds(5))
        #expect(status == 0, "the agent did not stop within 5 s with an events stream open")
        let deadline = ContinuousClock.now + .seconds(5)
        while follower.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!follower.isRunning, "chorus events --follow did not end with the agent")
        if follower.isRunning { follower.terminate() } // so that reading its output cannot block
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(printed.contains("\"event\":\"member-join\""), "\(printed)")
        #expect(printed.contains("\"name\":\"node-2\""), "\(printed)")
    }
}
