import Foundation
import Testing
import ChorusTesting

/// The application's own facts (SPEC §13) on real agents: the version read from a file, the
/// health from a command and then, after `chorus reload`, from a URL, all while the agent runs.
@Suite(.serialized) struct ApplicationProcessTests {
    /// node-2's configuration file: a version file, and one way to check health.
    static func configuration(versionFile: URL, health: String) -> String {
        """
        [app]
        version_file = "\(versionFile.path)"
        \(health)
        check_interval = "200ms"
        """
    }

    @Test func anUpgradedApplicationAndItsHealthReachTheClusterWithoutARestart() async throws {
        let cluster = try ProcessCluster(count: 2, label: "application")
        defer { cluster.stop() }
        let (first, second) = (cluster.agents[0], cluster.agents[1])
        let versionFile = cluster.workspace.appendingPathComponent("VERSION")
        let healthyFlag = cluster.workspace.appendingPathComponent("healthy")
        let configurationFile = cluster.workspace.appendingPathComponent("node-2.toml")
        try "1.0.0\n".write(to: versionFile, atomically: true, encoding: .utf8)
        try Self.configuration(versionFile: versionFile, health: "health_command = \"test -e \(healthyFlag.path)\"")
            .write(to: configurationFile, atomically: true, encoding: .utf8)
        try first.start(join: nil, trust: cluster.trust)
        try second.start(join: cluster.base, trust: cluster.trust, version: nil,
                         environment: ["CHORUS_CONFIG": configurationFile.path])

        // Unhealthy until its check passes: out of the balancer with the check's reason, and so
        // seen by the other member.
        let refused = await eventually(within: .seconds(15)) {
            let reason = await second.json("/v1/health/lb")?["reason"] as? String
            let seen = await Self.health(of: "node-2", at: first)
            return reason == "unhealthy" && seen == "unhealthy"
        }
        let refusal = await second.json("/v1/health/lb")
        #expect(refused != nil, "\(String(describing: refusal))")
        #expect((await second.json("/v1/health/lb")?["message"] as? String)?.hasPrefix("[app] health_command: exit 1") == true)
        #expect(await second.json("/v1/self")?["version"] as? String == "1.0.0")

        FileManager.default.createFile(atPath: healthyFlag.path, contents: nil)
        let healthy = await eventually(within: .seconds(10)) {
            let status = await second.status(of: "/v1/health/lb")
            let seen = await Self.health(of: "node-2", at: first)
            return status == 200 && seen == "healthy"
        }
        #expect(healthy != nil)

        // The upgrade starts; the application on node-2 is upgraded in place: same process.
        #expect(try await first.command("/v1/upgrade/start") == 200)
        let pid = second.pid
        let incarnation = await second.json("/v1/self")?["incarnation"] as? Int
        try "1.1.0\n".write(to: versionFile, atomically: true, encoding: .utf8)
        let mixed = await eventually(within: .seconds(10)) {
            let state = await first.cluster()?.state
            let version = await first.members()?.first { $0.name == "node-2" }?.version
            return state == "MIXED" && version == "1.1.0"
        }
        let state = await first.cluster()?.state
        #expect(mixed != nil, "\(String(describing: state))")
        #expect(second.pid == pid && second.isRunning)
        #expect(await second.json("/v1/self")?["incarnation"] as? Int == incarnation, "a new version is no new life")

        // A version that cannot be read leaves the last one in force.
        try "not a version\n".write(to: versionFile, atomically: true, encoding: .utf8)
        let complained = await eventually(within: .seconds(5)) { second.log.contains("cannot read the application's version") }
        #expect(complained != nil)
        #expect(await second.json("/v1/self")?["version"] as? String == "1.1.0")

        // Reloaded with a URL check (node-1's own health answers 200): healthy without the flag.
        try FileManager.default.removeItem(at: healthyFlag)
        let unhealthyAgain = await eventually(within: .seconds(5)) { await second.status(of: "/v1/health/lb") == 503 }
        #expect(unhealthyAgain != nil)
        try Self.configuration(versionFile: versionFile, health: "health_url = \"http://127.0.0.1:\(first.httpPort)/v1/health\"")
            .write(to: configurationFile, atomically: true, encoding: .utf8)
        let reload = try second.runClientReadingOutput(["reload", "--json"])
        #expect(reload.status == 0, "\(reload.output)")
        #expect(reload.output.contains("app.health_url") && reload.output.contains("app.health_command"))
        let healthyByURL = await eventually(within: .seconds(5)) { await second.status(of: "/v1/health/lb") == 200 }
        #expect(healthyByURL != nil)
    }

    /// The agent cannot say which version it runs: it does not start, and says why.
    @Test func anUnreadableVersionStopsTheStart() async throws {
        let cluster = try ProcessCluster(count: 1, label: "application-start")
        defer { cluster.stop() }
        let agent = cluster.agents[0]
        try agent.start(join: nil, trust: cluster.trust, version: nil,
                        environment: ["CHORUS_APP_VERSION_COMMAND": "echo 'app is not installed' >&2; exit 2"])
        let status = await agent.waitForExit(timeout: .seconds(10))
        #expect(status != nil && status != 0)
        #expect(agent.log.contains("cannot read the application's version ([app] version_command failed: exit 2"), "\(agent.log.suffix(400))")
    }

    static func health(of name: String, at agent: AgentProcess) async -> String? {
        guard let answer = await agent.get("/v1/members", timeout: .seconds(1)),
              let members = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [[String: Any]] else { return nil }
        return members.first { $0["name"] as? String == name }?["health"] as? String
    }
}
