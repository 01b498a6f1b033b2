import Foundation
import Testing
import ChorusTesting

/// The CLI's exit codes as docs/cli.md lists them, each produced for real against node-1 of
/// three agents (SPEC §9: "exit codes that scripts can rely on").
@Suite(.serialized) struct ExitCodeProcessTests {
    @Test func everyDocumentedExitCode() async throws {
        let cluster = try ProcessCluster(count: 3, label: "exit-codes")
        defer { cluster.stop() }
        let agent = cluster.agents[0]
        try await cluster.startServing()
        let formed = await eventually(within: .seconds(20)) { await agent.cluster()?.voters.count == 3 }
        try #require(formed != nil, "three voters were not admitted")

        #expect(try agent.runClientReadingOutput(["status"], admin: false).status == 0)
        let noBanner = try agent.runClientReadingOutput(["banner", "show"], admin: false)
        #expect(noBanner.status == 0, "no banner is an answer, not an error")
        #expect(noBanner.output == "no banner\n")
        #expect(try agent.runClient(["members", "remove", "nobody-here"]) == 1, "404 from the agent")
        #expect(try agent.runClient(["upgrade", "approve"]) == 3, "409: refused by the cluster state")
        #expect(try agent.runClient(["upgrade", "frobnicate"]) == 64, "a usage error")
        for other in cluster.agents.dropFirst() { other.kill(SIGKILL) }
        #expect(try agent.runClient(["maintenance", "on"]) == 4, "no majority left to decide")

        agent.kill(SIGTERM)
        _ = await agent.waitForExit(timeout: .seconds(5))
        #expect(try agent.runClientReadingOutput(["status"], admin: false).status == 2, "a read at a stopped agent")
        #expect(try agent.runClient(["maintenance", "on"]) == 2, "a mutation at a stopped agent, token at hand")
        let tokenless = Process()
        tokenless.executableURL = agent.executable
        tokenless.arguments = ["drain", "--http-addr", "127.0.0.1:\(agent.httpPort)", "--data-dir", "/nonexistent/chorus"]
        tokenless.environment = [:]
        tokenless.standardError = FileHandle.nullDevice
        try tokenless.run()
        tokenless.waitUntilExit()
        #expect(tokenless.terminationStatus == 2, "a mutation at a stopped agent without a token is still 'unreachable'")
    }
}
