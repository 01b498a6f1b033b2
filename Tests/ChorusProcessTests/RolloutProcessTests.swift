import Foundation
import Testing
import ChorusTesting

/// `chorus rollout` on real agents, each beside a real application (examples/rolling-app): the
/// cluster upgrades itself node by node, never more than one node out of its balancer, and a
/// release whose health check fails halts the rollout, rolled back, with the cluster serving.
@Suite(.serialized) struct RolloutProcessTests {
    static let exampleApp = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/rolling-app")

    /// One host's application: its directory and port. The test starts its first process; from
    /// then on the agent's node command (upgrade.sh) replaces it.
    struct Application {
        let directory: URL
        let port: Int

        var environment: String { "APP_DIR=\(directory.path) APP_PORT=\(port)" }

        func start(_ wanted: String) async throws -> BackgroundProcess {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try "\(wanted)\n".write(to: directory.appendingPathComponent("version"), atomically: true, encoding: .utf8)
            let python = try ExternalTool.require("python3", package: "python3")
            let process = try BackgroundProcess(python, [
                RolloutProcessTests.exampleApp.appendingPathComponent("app.py").path, "--port", "\(port)", "--dir", directory.path,
            ], log: directory.appendingPathComponent("app.log"))
            let up = await eventually(within: .seconds(10)) { await version() == wanted }
            try #require(up != nil, "the example application did not start: \(process.output)")
            return process
        }

        func stop() {
            guard let pid = (try? String(contentsOf: directory.appendingPathComponent("app.pid"), encoding: .utf8))
                .flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else { return }
            kill(pid, SIGKILL)
        }

        func version() async -> String? {
            await fetch("http://127.0.0.1:\(port)/version", timeout: .seconds(1))?.body.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// Each agent reads its application's version and health, and upgrades it with upgrade.sh.
    static func configuration(for application: Application) -> String {
        let upgrade = "\(exampleApp.path)/upgrade.sh"
        return """
            [app]
            version_command = "curl -fsS http://127.0.0.1:\(application.port)/version"
            health_url = "http://127.0.0.1:\(application.port)/health"
            check_interval = "500ms"

            [rollout]
            node_command = "\(application.environment) sh \(upgrade)"
            rollback_command = "\(application.environment) sh \(upgrade) \\"$CHORUS_ROLLOUT_FROM\\""
            drain_seconds = 1
            healthy_seconds = 1
            healthy_deadline = 15
            """
    }

    @Test func theClusterUpgradesItselfOneNodeAtATimeAndABrokenReleaseHalts() async throws {
        _ = try ExternalTool.require("curl", package: "curl")
        let cluster = try ProcessCluster(count: 3, label: "rollout")
        let applications = cluster.agents.indices.map { index in
            Application(directory: cluster.workspace.appendingPathComponent("app-\(index + 1)"), port: cluster.base + 200 + index)
        }
        defer {
            applications.forEach { $0.stop() }
            cluster.stop()
        }
        var firstProcesses: [BackgroundProcess] = []
        defer { firstProcesses.forEach { $0.stop() } }
        for (agent, application) in zip(cluster.agents, applications) {
            firstProcesses.append(try await application.start("1.0.0"))
            let file = cluster.workspace.appendingPathComponent("\(agent.name).toml")
            try Self.configuration(for: application).write(to: file, atomically: true, encoding: .utf8)
            try agent.start(join: agent === cluster.agents[0] ? nil : cluster.base, trust: cluster.trust, version: nil,
                            environment: ["CHORUS_CONFIG": file.path])
        }
        let agents = cluster.agents
        let formed = await eventually(within: .seconds(20)) {
            await agents.asyncAllSatisfy { agent in
                let voters = await agent.cluster()?.voters.count
                let serving = await agent.status(of: "/v1/health/lb")
                return voters == 3 && serving == 200
            }
        }
        try #require(formed != nil)

        // Watched from outside the whole time: how many nodes are out of their balancer at once.
        let watch = Task {
            var mostOut = 0
            while !Task.isCancelled {
                var out = 0
                for agent in agents where await agent.status(of: "/v1/health/lb") != 200 { out += 1 }
                mostOut = max(mostOut, out)
                try? await Task.sleep(for: .milliseconds(100))
            }
            return mostOut
        }
        let start = try agents[1].runClientReadingOutput(["rollout", "start", "--to", "1.1.0", "--approve"])
        #expect(start.status == 0, "\(start.output)")
        let finished = await eventually(within: .seconds(60)) {
            await agents[0].json("/v1/rollout")?["state"] as? String == "finished"
        }
        let rollout = await agents[0].json("/v1/rollout")
        #expect(finished != nil, "\(String(describing: rollout))")
        for application in applications { #expect(await application.version() == "1.1.0") }
        let stable = await eventually(within: .seconds(20)) {
            let state = await agents[2].cluster()
            return state?.state == "STABLE" && state?.clusterVersion == "1.1.0"
        }
        #expect(stable != nil, "the approved upgrade finishes: clusterVersion 1.1.0")
        #expect((rollout?["done"] as? [String])?.count == 3)

        // 1.2.0 starts but fails its health check: the first node is rolled back, the rollout halts.
        for application in applications {
            try "1.2.0\n".write(to: application.directory.appendingPathComponent("broken"), atomically: true, encoding: .utf8)
        }
        let broken = try agents[0].runClientReadingOutput(["rollout", "start", "--to", "1.2.0", "--order", "node-3"])
        #expect(broken.status == 0, "\(broken.output)")
        let halted = await eventually(within: .seconds(40)) {
            await agents[0].json("/v1/rollout")?["state"] as? String == "halted"
        }
        let haltedRollout = await agents[0].json("/v1/rollout")
        #expect(halted != nil, "\(String(describing: haltedRollout))")
        let reason = (haltedRollout?["halted"] as? [String: Any])?["reason"] as? String ?? ""
        #expect((haltedRollout?["halted"] as? [String: Any])?["member"] as? String == "node-3")
        #expect(reason.contains("not healthy on 1.2.0"), "\(reason)")
        // upgrade.sh returns once the application is started, not serving: give it a moment.
        let rolledBack = await eventually(within: .seconds(10)) { await applications[2].version() == "1.1.0" }
        #expect(rolledBack != nil, "rolled back")
        let serving = await eventually(within: .seconds(10)) {
            await agents.asyncAllSatisfy { await $0.status(of: "/v1/health/lb") == 200 }
        }
        #expect(serving != nil, "nothing left out of the balancer")
        #expect(await applications[0].version() == "1.1.0" && applications.count == 3, "nobody else was taken out")
        // Every agent's events say whose turn failed, its term and why (a hook acts on that node).
        let failed = await agents[1].heldEvents().last { $0.name == "rollout-node-failed" }
        let slot = (try? JSONSerialization.jsonObject(with: Data((failed?.data ?? "").utf8)) as? [String: Any])?["slot"] as? [String: Any]
        #expect(slot?["holder"] as? String == "node-3" && slot?["purpose"] as? String == "rollout", "\(String(describing: failed))")
        #expect((slot?["reason"] as? String)?.contains("not healthy on 1.2.0") == true)
        let status = try agents[2].runClientReadingOutput(["rollout", "status"], admin: false)
        #expect(status.status == 0 && status.output.contains("halted"), "\(status.output)")
        watch.cancel()
        #expect(await watch.value <= 1, "never more than the budget of one node out of the balancer")
    }
}
