import Foundation
import Testing
import ChorusTesting

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
        // A file, not a pipe: it can be read while the follower runs, and nothing blocks on it.
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-events-\(UUID().uuidString)")
        try #require(FileManager.default.createFile(atPath: outputFile.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: outputFile) }
        follower.standardOutput = try FileHandle(forWritingTo: outputFile)
        try follower.run()
        defer { if follower.isRunning { follower.terminate() } }
        func printed() -> String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }

        try second.start(join: base, trust: trust)
        // The join is printed while the agent still runs: the stream delivers events as they happen.
        let joinPrinted = await eventually(within: .seconds(10)) {
            printed().split(separator: "\n").contains { $0.contains("\"event\":\"member-join\"") && $0.contains("\"name\":\"node-2\"") }
        }
        #expect(joinPrinted != nil, "\(printed())")

        first.kill(SIGTERM)
        let status = await first.waitForExit(timeout: .seconds(5))
        #expect(status == 0, "the agent did not stop within 5 s with an events stream open")
        let deadline = ContinuousClock.now + .seconds(5)
        while follower.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!follower.isRunning, "chorus events --follow did not end with the agent")
    }
}
