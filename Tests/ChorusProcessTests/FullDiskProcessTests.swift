import Foundation
import Testing
import ChorusTesting

/// A full disk under one agent (a real tmpfs, filled): nothing it could not store is decided or
/// acknowledged, its commands answer 507, it keeps its membership and serves reads, and every
/// decision acknowledged anywhere survives kill -9 of every agent (issue 15, SPEC §11.9).
@Suite(.serialized) struct FullDiskProcessTests {
    /// Three agents, the third's data directory on a 1 MiB tmpfs for the test to fill; stopped
    /// and unmounted after `body`.
    func withSmallDisk(label: String, _ body: (ProcessCluster, _ full: AgentProcess) async throws -> Void) async throws {
        try #require(getuid() == 0, "mounting a tmpfs needs root")
        let cluster = try ProcessCluster(count: 3, label: label)
        let full = cluster.agents[2]
        try FileManager.default.createDirectory(at: full.dataDirectory, withIntermediateDirectories: true)
        try #require(try runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", full.dataDirectory.path]) == 0)
        defer {
            cluster.stop()
            _ = try? runTool("/bin/umount", ["-l", full.dataDirectory.path])
        }
        try await body(cluster, full)
    }

    @Test func everyAcknowledgedDecisionSurvivesAFullDiskAndKill9OfEveryAgent() async throws {
        try await withSmallDisk(label: "full-disk") { cluster, full in
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

    /// A rollout turn that ends while its node's disk is full is not lost: the end is told again
    /// at each tick and decided once there is room, so the rollout halts instead of holding that
    /// node's slot until a restart.
    @Test func aTurnThatEndsOnAFullDiskIsHeardOnceThereIsRoom() async throws {
        try await withSmallDisk(label: "full-turn") { cluster, full in
            // node-3's node command fills its own data directory; its application never reports
            // the target (a fixed version), so the turn fails after the deadline, disk full.
            let fillers = ["filler", "filler-tail"]
            let fill = "dd if=/dev/zero of=\(full.dataDirectory.path)/\(fillers[0]) bs=4k 2>/dev/null; "
                + "dd if=/dev/zero of=\(full.dataDirectory.path)/\(fillers[1]) bs=1 2>/dev/null; true"
            for agent in cluster.agents {
                let file = cluster.workspace.appendingPathComponent("\(agent.name).toml")
                try "[rollout]\nnode_command = \"\(fill)\"\ndrain_seconds = 0\nhealthy_seconds = 1\nhealthy_deadline = 2\n"
                    .write(to: file, atomically: true, encoding: .utf8)
                try agent.start(join: agent === cluster.agents[0] ? nil : cluster.base, trust: cluster.trust,
                                environment: ["CHORUS_CONFIG": file.path])
            }
            let formed = await eventually(within: .seconds(20)) {
                await cluster.agents.asyncAllSatisfy { await $0.cluster()?.voters.count == 3 }
            }
            try #require(formed != nil)
            let start = try cluster.agents[0].runClientReadingOutput(["rollout", "start", "--to", "1.1.0", "--order", "node-3"])
            try #require(start.status == 0, "\(start.output)")
            let filled = await eventually(within: .seconds(15)) {
                FileManager.default.fileExists(atPath: full.dataDirectory.appendingPathComponent(fillers[1]).path)
                    && (try? String(contentsOf: full.logFile, encoding: .utf8))?.contains("cannot persist after the rollout turn ended") == true
            }
            try #require(filled != nil, "the turn did not end on the full disk")
            #expect(await cluster.agents[0].json("/v1/rollout")?["state"] as? String == "running", "nothing decided while the disk is full")

            for filler in fillers { try FileManager.default.removeItem(at: full.dataDirectory.appendingPathComponent(filler)) }
            let halted = await eventually(within: .seconds(15)) {
                await cluster.agents[0].json("/v1/rollout")?["state"] as? String == "halted"
            }
            let rollout = await cluster.agents[0].json("/v1/rollout")
            #expect(halted != nil, "the end was never told: \(String(describing: rollout))")
            let stop = rollout?["halted"] as? [String: Any]
            #expect(stop?["member"] as? String == "node-3")
            #expect((stop?["reason"] as? String)?.contains("not healthy on 1.1.0") == true, "\(String(describing: stop))")
            #expect((rollout?["slots"] as? [Any])?.isEmpty == true, "node-3's slot is free")
        }
    }
}
