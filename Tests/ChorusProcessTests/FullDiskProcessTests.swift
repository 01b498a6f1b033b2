import Foundation
import Testing

/// A full disk under one agent (a real tmpfs, filled): nothing it could not store is decided or
/// acknowledged, its commands answer 507, it keeps its membership and serves reads, and every
/// decision acknowledged anywhere survives kill -9 of every agent (issue 15, SPEC §11.9).
@Suite(.serialized) struct FullDiskProcessTests {
    @Test func everyAcknowledgedDecisionSurvivesAFullDiskAndKill9OfEveryAgent() async throws {
        try #require(getuid() == 0, "mounting a tmpfs needs root")
        let cluster = try ProcessCluster(count: 3, label: "full-disk")
        let full = cluster.agents[2]
        try FileManager.default.createDirectory(at: full.dataDirectory, withIntermediateDirectories: true)
        try #require(try runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", full.dataDirectory.path]) == 0)
        defer {
            cluster.stop()
            _ = try? runTool("/bin/umount", ["-l", full.dataDirectory.path])
        }
        try await cluster.startServing()
        let admitted = await eventually(within: .seconds(10)) {
            for agent in cluster.agents where await agent.cluster()?.voters.count != 3 { return false }
            return true
        }
        try #require(admitted != nil, "the three agents are not all voters")

        var acknowledged: [String] = []
        var refused: [String] = []
        func setBanner(_ message: String, at agent: AgentProcess) async throws -> (status: Int, body: String)? {
            let token = try String(contentsOf: agent.dataDirectory.appendingPathComponent("admin.token"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let answer = await fetch("http://127.0.0.1:\(agent.httpPort)/v1/banner", method: "PUT",
                                     headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                                     body: Data(#"{"message":"\#(message)"}"#.utf8))
            if answer?.status == 200 { acknowledged.append(message) }
            return answer
        }
        for n in 1...3 {
            let answer = try await setBanner("before-\(n)", at: cluster.agents[0])
            #expect(answer?.status == 200, "\(String(describing: answer))")
        }

        // Fill node-3's filesystem to the last byte: pages first, then what a page left over; then
        // again, after the agent's writes in flight have replaced their files (a replaced file
        // frees its pages: once, a command at the full node found one and went ahead).
        let fillers = ["filler", "filler-tail", "filler-late"]
        _ = try runTool("/bin/dd", ["if=/dev/zero", "of=\(full.dataDirectory.path)/\(fillers[0])", "bs=4k"])
        _ = try runTool("/bin/dd", ["if=/dev/zero", "of=\(full.dataDirectory.path)/\(fillers[1])", "bs=1"])
        try await Task.sleep(for: .milliseconds(500))
        _ = try runTool("/bin/dd", ["if=/dev/zero", "of=\(full.dataDirectory.path)/\(fillers[2])", "bs=1"])
        for n in 1...3 {
            let answer = try await setBanner("refused-\(n)", at: full)
            #expect(answer?.status == 507, "a command at the full node: \(String(describing: answer))")
            #expect(answer?.body.contains("storage-failed") == true)
            refused.append("refused-\(n)")
        }
        for n in 1...3 {
            for agent in cluster.agents.prefix(2) {
                let answer = try await setBanner("during-\(agent.name)-\(n)", at: agent)
                #expect(answer?.status == 200, "\(agent.name): \(String(describing: answer))")
            }
        }
        #expect(await full.status(of: "/v1/cluster") == 200, "the full node serves reads")
        let everyoneAlive = await eventually(within: .seconds(3)) {
            for agent in cluster.agents {
                guard let members = await agent.members(), members.count == 3,
                      members.allSatisfy({ $0.status == "alive" }) else { return false }
            }
            return true
        }
        #expect(everyoneAlive != nil, "the full node kept its membership")

        for agent in cluster.agents { agent.kill(SIGKILL) }
        for agent in cluster.agents { _ = await agent.waitForExit(timeout: .seconds(5)) }
        for filler in fillers {
            try FileManager.default.removeItem(at: full.dataDirectory.appendingPathComponent(filler))
        }
        try cluster.agents[1].start(join: nil, trust: cluster.trust)
        try cluster.agents[0].start(join: cluster.base + 2, trust: cluster.trust)
        try full.start(join: cluster.base + 2, trust: cluster.trust)

        let hexOf = { (text: String) in text.utf8.map { String(format: "%02x", $0) }.joined() }
        let survived = await eventually(within: .seconds(20)) {
            for agent in cluster.agents {
                guard let log = await agent.text("/v1/decisions?limit=1000") else { return false }
                for message in acknowledged where !log.contains(hexOf(message)) { return false }
            }
            return true
        }
        #expect(survived != nil, "\(acknowledged.count) acknowledged decisions are not all on every restarted agent")
        for agent in cluster.agents {
            let log = await agent.text("/v1/decisions?limit=1000") ?? ""
            for message in refused { #expect(!log.contains(hexOf(message)), "\(message), answered 507, was decided at \(agent.name)") }
        }
    }
}
