import Foundation
import Testing
import ChorusTesting

/// Whole upgrades through real agents on loopback: start at one node, restart every node on the
/// new version with its data directory, approve at another, the tasks command runs once.
@Suite(.serialized) struct UpgradeProcessTests {
    /// Three agents on 1.0.0 sharing a tasks command that appends to `tasks.log`: a "start" line
    /// when it begins and a "done" line when it ends; the first attempt takes `firstAttemptSeconds`.
    final class Cluster: @unchecked Sendable {
        let workspace: URL
        let trust: URL
        let base: Int
        let agents: [AgentProcess]
        let environment: [String: String]
        var tasksLog: URL { workspace.appendingPathComponent("tasks.log") }

        init(firstAttemptSeconds: Int = 1) throws {
            workspace = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-upgrade-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
            trust = workspace.appendingPathComponent("trust")
            try runChorus(["keys", "init", "--dir", trust.path])
            let script = workspace.appendingPathComponent("tasks.sh")
            // Attempt 1 records its shell's and its sleep's pids; a later attempt logs "overlap"
            // if either still runs when it starts (issue 16: tasks must not overlap).
            try """
                #!/bin/sh
                cd \(workspace.path)
                echo "start $CHORUS_UPGRADE_FROM $CHORUS_UPGRADE_TO $CHORUS_UPGRADE_ATTEMPT" >> tasks.log
                if [ "$CHORUS_UPGRADE_ATTEMPT" = 1 ]; then
                    sleep \(firstAttemptSeconds) & echo "$$ $!" > attempt-1.pids; wait
                else
                    for pid in $(cat attempt-1.pids); do
                        if kill -0 "$pid" 2>/dev/null; then echo "overlap $pid" >> tasks.log; fi
                    done
                fi
                echo "done $CHORUS_UPGRADE_ATTEMPT" >> tasks.log
                """.write(to: script, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
            environment = ["CHORUS_UPGRADE_TASKS_COMMAND": script.path]
            base = TestPorts.randomBase()
            let workspace = workspace
            let base = base
            agents = (0..<3).map { index in
                AgentProcess(name: "node-\(index + 1)", gossipPort: base + 2 * index, httpPort: base + 2 * index + 1,
                             dataDirectory: workspace.appendingPathComponent("data-\(index + 1)"))
            }
            for agent in agents { try start(agent, version: "1.0.0") }
        }

        /// node-1 founds the cluster (no seeds); on a restart it joins node-2 like the others join it,
        /// as an operator gives every node seeds once the cluster exists (docs/upgrades.md).
        func start(_ agent: AgentProcess, version: String) throws {
            let founding = agent === agents[0] && !FileManager.default.fileExists(
                atPath: agent.dataDirectory.appendingPathComponent("decisions").path)
            let seed = agent === agents[0] ? (founding ? nil : base + 2) : base
            try agent.start(join: seed, trust: trust, version: version, environment: environment)
        }

        /// SIGTERM (graceful leave), then the same data directory on `version`.
        func restart(_ agent: AgentProcess, on version: String) async throws {
            agent.kill(SIGTERM)
            _ = await agent.waitForExit(timeout: .seconds(5))
            try start(agent, version: version)
        }

        func everyone(_ agents: [AgentProcess]? = nil, isIn state: String, version: String? = nil) async -> Bool {
            for agent in agents ?? self.agents {
                guard let cluster = await agent.cluster(), cluster.state == state,
                      version.map({ $0 == cluster.clusterVersion }) ?? true else { return false }
            }
            return true
        }

        func states() async -> [String] {
            var states: [String] = []
            for agent in agents { states.append(await agent.cluster().map { "\($0.state) \($0.clusterVersion)" } ?? "-") }
            return states
        }

        var taskLines: [String] {
            ((try? String(contentsOf: tasksLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        func stop() {
            for agent in agents { agent.kill(SIGKILL) }
            try? FileManager.default.removeItem(at: workspace)
        }
    }

    @Test func startRestartOnNewVersionApproveAndFinish() async throws {
        let cluster = try Cluster()
        defer { cluster.stop() }
        let formed = await eventually(within: .seconds(20)) {
            guard await cluster.everyone(isIn: "STABLE", version: "1.0.0") else { return false }
            return await cluster.agents[2].cluster()?.voters.count == 3
        }
        let states1 = await cluster.states()
        #expect(formed != nil, "3 voters STABLE on 1.0.0: \(states1)")

        #expect(try await cluster.agents[1].command("/v1/upgrade/start") == 200)
        #expect(await eventually(within: .seconds(3)) { await cluster.everyone(isIn: "READY_TO_UPGRADE") } != nil)

        try await cluster.restart(cluster.agents[0], on: "1.1.0")
        let mixed = await eventually(within: .seconds(10)) { await cluster.everyone(isIn: "MIXED") }
        let states2 = await cluster.states()
        #expect(mixed != nil, "MIXED everywhere after the first restart: \(states2)")
        try await cluster.restart(cluster.agents[1], on: "1.1.0")
        try await cluster.restart(cluster.agents[2], on: "1.1.0")
        let ready = await eventually(within: .seconds(15)) { await cluster.everyone(isIn: "READY_TO_RUN_UPGRADE_TASKS") }
        let states3 = await cluster.states()
        #expect(ready != nil, "READY_TO_RUN_UPGRADE_TASKS everywhere: \(states3)")

        #expect(try await cluster.agents[2].command("/v1/upgrade/approve") == 200)
        let finished = await eventually(within: .seconds(15)) { await cluster.everyone(isIn: "STABLE", version: "1.1.0") }
        let states4 = await cluster.states()
        #expect(finished != nil, "STABLE on 1.1.0 everywhere: \(states4)")
        #expect(cluster.taskLines == ["start 1.0.0 1.1.0 1", "done 1"])
    }

    @Test func killedRunnerIsReplacedAndTasksFinishOnce() async throws {
        let cluster = try Cluster(firstAttemptSeconds: 60)
        defer { cluster.stop() }
        let formed = await eventually(within: .seconds(20)) {
            guard await cluster.everyone(isIn: "STABLE") else { return false }
            return await cluster.agents[2].cluster()?.voters.count == 3
        }
        let states5 = await cluster.states()
        #expect(formed != nil, "cluster did not form: \(states5)")
        #expect(try await cluster.agents[0].command("/v1/upgrade/start") == 200)
        for agent in cluster.agents { try await cluster.restart(agent, on: "1.1.0") }
        let ready = await eventually(within: .seconds(20)) { await cluster.everyone(isIn: "READY_TO_RUN_UPGRADE_TASKS") }
        let states6 = await cluster.states()
        #expect(ready != nil, "not ready: \(states6)")
        #expect(try await cluster.agents[1].command("/v1/upgrade/approve") == 200)

        let runnerName = await eventually(within: .seconds(5)) { await cluster.agents[1].cluster()?.taskRunner != nil }
        let name = try #require(runnerName != nil ? await cluster.agents[1].cluster()?.taskRunner : nil)
        let runner = try #require(cluster.agents.first { $0.name == name })
        #expect(await eventually(within: .seconds(5)) { cluster.taskLines.count == 1 } != nil)
        runner.kill(SIGKILL)
        let killedAt = ContinuousClock.now

        let survivors = cluster.agents.filter { $0 !== runner }
        let finished = await eventually(within: .seconds(30)) { await cluster.everyone(survivors, isIn: "STABLE", version: "1.1.0") }
        let states7 = await cluster.states()
        #expect(finished != nil, "survivors not STABLE on 1.1.0: \(states7)")
        let lines = cluster.taskLines
        #expect(lines == ["start 1.0.0 1.1.0 1", "start 1.0.0 1.1.0 2", "done 2"], "\(lines)")
        #expect(ContinuousClock.now - killedAt < .seconds(30))

        try cluster.start(runner, version: "1.1.0")
        let caughtUp = await eventually(within: .seconds(15)) { await cluster.everyone(isIn: "STABLE", version: "1.1.0") }
        let states8 = await cluster.states()
        #expect(caughtUp != nil, "the restarted runner did not catch up: \(states8)")
        #expect(cluster.taskLines.filter { $0.hasPrefix("done") }.count == 1)
    }

    @Test func downgradeBackThenCancel() async throws {
        let cluster = try Cluster()
        defer { cluster.stop() }
        let formed = await eventually(within: .seconds(20)) {
            guard await cluster.everyone(isIn: "STABLE") else { return false }
            return await cluster.agents[2].cluster()?.voters.count == 3
        }
        let states9 = await cluster.states()
        #expect(formed != nil, "cluster did not form: \(states9)")
        #expect(try await cluster.agents[2].command("/v1/upgrade/start") == 200)
        try await cluster.restart(cluster.agents[1], on: "1.1.0")
        #expect(await eventually(within: .seconds(10)) { await cluster.everyone(isIn: "MIXED") } != nil)
        #expect(try await cluster.agents[0].command("/v1/upgrade/cancel") == 409) // MIXED: cancel refused
        try await cluster.restart(cluster.agents[1], on: "1.0.0")
        let back = await eventually(within: .seconds(10)) { await cluster.everyone(isIn: "READY_TO_UPGRADE") }
        let states10 = await cluster.states()
        #expect(back != nil, "not back to READY_TO_UPGRADE: \(states10)")
        #expect(try await cluster.agents[0].command("/v1/upgrade/cancel") == 200)
        let stable = await eventually(within: .seconds(5)) { await cluster.everyone(isIn: "STABLE", version: "1.0.0") }
        let states11 = await cluster.states()
        #expect(stable != nil, "not STABLE after cancel: \(states11)")
        #expect(cluster.taskLines.isEmpty)
    }
}
