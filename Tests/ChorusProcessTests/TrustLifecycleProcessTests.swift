import Foundation
import Testing
import ChorusTesting

/// The trust lifecycle with real agents and the real CLI (SPEC §2, Operators; issue 15): an
/// operator token works at every agent and is logged by name until it is revoked; a revoked
/// member cannot change cluster state with its own admin token, nor come back by restarting;
/// an agent started under a live member's name is refused and says why.
@Suite(.serialized) struct TrustLifecycleProcessTests {
    @Test func operatorTokensRevokedMembersAndNamesakes() async throws {
        let cluster = try ProcessCluster(count: 3, label: "trust")
        defer { cluster.stop() }
        let (first, second, third) = (cluster.agents[0], cluster.agents[1], cluster.agents[2])
        try await cluster.startServing()
        let authorityKey = cluster.trust.appendingPathComponent("authority.key").path

        // An operator token, used at another agent than any that issued anything.
        let token = try chorusOutput(["keys", "issue-operator", "--authority-key", authorityKey, "--name", "alice",
                                      "--expires", "1h"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try second.runWithToken(token, ["maintenance", "on", "--message", "by alice"]) == 0)
        #expect(await eventually(within: .seconds(5)) { await third.maintenanceMessage() == "by alice" } != nil)
        #expect(second.log.contains("by=operator alice"), "the mutation is not logged under the operator's name")
        #expect(try second.runWithToken(token, ["maintenance", "off"], environment: true) == 0, "$CHORUS_TOKEN")

        // Revoked at one agent: refused at every agent once the decision reaches it.
        #expect(try first.runClient(["operators", "revoke", "alice"]) == 0)
        for agent in cluster.agents {
            let refused = await eventually(within: .seconds(5)) {
                await agent.statusWithToken(token, "/v1/maintenance", method: "PUT", json: #"{"message":"again"}"#) == 401
            }
            #expect(refused != nil, "\(agent.name) still takes alice's revoked token")
        }
        // Revocation covers tokens issued up to the revoking second; one issued later works.
        try await Task.sleep(for: .milliseconds(1_100))
        let renewed = try chorusOutput(["keys", "issue-operator", "--authority-key", authorityKey, "--name", "alice"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(await third.statusWithToken(renewed, "/v1/maintenance", method: "PUT", json: #"{"message":"again"}"#) == 200)
        #expect(await third.statusWithToken(renewed, "/v1/maintenance", method: "DELETE") == 200)

        // A live member revoked: its own admin token changes nothing, and a restart does not bring it back.
        #expect(try first.runClient(["members", "revoke", third.name]) == 0)
        let outAtOthers = await eventually(within: .seconds(10)) {
            for agent in [first, second] {
                guard let members = await agent.members(),
                      !members.contains(where: { $0.name == third.name && $0.status == "alive" }) else { return false }
            }
            return true
        }
        #expect(outAtOthers != nil, "node-3 still alive after its revocation")
        #expect(try third.runClient(["maintenance", "on", "--message", "from a revoked node"]) != 0)
        // It heard the decision: its load-balancer check sends traffic elsewhere.
        let outOfService = await eventually(within: .seconds(5)) {
            await third.json("/v1/health/lb")?["reason"] as? String == "removed"
        }
        let revokedCheck = await third.json("/v1/health/lb")
        #expect(outOfService != nil, "the revoked node still takes traffic: \(String(describing: revokedCheck))")
        third.kill(SIGKILL)
        _ = await third.waitForExit(timeout: .seconds(5))
        try third.start(join: cluster.base, trust: cluster.trust)
        try await Task.sleep(for: .seconds(4))
        #expect(try third.runClient(["maintenance", "on", "--message", "from a revoked node"]) != 0)
        for agent in [first, second] {
            let members = await agent.members() ?? []
            #expect(!members.contains { $0.name == third.name && $0.status == "alive" }, "\(agent.name): \(members)")
            #expect(await agent.maintenanceMessage() == nil, "\(agent.name) took maintenance from a revoked node")
        }

        // A second agent named node-2, under a key of its own: refused, and it says so.
        let namesake = AgentProcess(name: second.name, gossipPort: cluster.base + 20, httpPort: cluster.base + 21,
                                    dataDirectory: cluster.workspace.appendingPathComponent("data-namesake"),
                                    logName: "namesake")
        try namesake.start(join: cluster.base, trust: cluster.trust)
        defer { namesake.kill(SIGKILL) }
        let told = await eventually(within: .seconds(10)) {
            await namesake.json("/v1/health/lb")?["reason"] as? String == "duplicate-name"
        }
        let check = await namesake.json("/v1/health/lb") ?? [:]
        #expect(told != nil, "the namesake's load-balancer check: \(check)")
        // Logged at the agent's next tick, which may come after the check already answers.
        let logged = await eventually(within: .seconds(5)) { namesake.log.contains("name refused") }
        #expect(logged != nil, "the namesake's log does not say why it is refused")
        let holders = (await first.members() ?? []).filter { $0.name == second.name }
        #expect(holders.count == 1 && holders.first?.status == "alive", "\(holders)")
    }
}

/// Runs a short `chorus` command, expects it to succeed, and returns what it printed on stdout.
private func chorusOutput(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = AgentProcess.binary
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let printed = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "chorus \(arguments.joined(separator: " ")) failed")
    return String(decoding: printed, as: UTF8.self)
}

private extension AgentProcess {
    /// A `chorus` client command against this agent with an operator token, by `--token` or by
    /// `$CHORUS_TOKEN`, and no data directory: an operator's laptop, not the host.
    func runWithToken(_ token: String, _ arguments: [String], environment: Bool = false) throws -> Int32 {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments + ["--http-addr", "127.0.0.1:\(httpPort)", "--data-dir", "/nonexistent"]
            + (environment ? [] : ["--token", token])
        if environment { process.environment = ProcessInfo.processInfo.environment.merging(["CHORUS_TOKEN": token]) { $1 } }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func statusWithToken(_ token: String, _ path: String, method: String, json: String? = nil) async -> Int? {
        var headers = ["Authorization": "Bearer \(token)"]
        if json != nil { headers["Content-Type"] = "application/json" }
        return await fetch("http://127.0.0.1:\(httpPort)\(path)", method: method, headers: headers,
                           body: json.map { Data($0.utf8) })?.status
    }

    func maintenanceMessage() async -> String? {
        (await json("/v1/cluster")?["maintenance"] as? [String: Any])?["message"] as? String
    }
}
