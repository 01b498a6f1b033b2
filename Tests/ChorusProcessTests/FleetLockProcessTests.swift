import Foundation
import Testing
import ChorusTesting

/// FleetLock (SPEC §7, §13) on real agents, spoken by curl exactly as the protocol document's
/// example does: one reboot at a time across the cluster, a holder killed mid-reboot keeps its
/// slot, and a drained member spends the budget like a rebooting one.
@Suite(.serialized) struct FleetLockProcessTests {
    /// `curl -H "fleet-lock-protocol: true" -d @body URL`, as the protocol document shows; the
    /// status code and the JSON answer.
    static func fleetLock(_ path: String, at agent: AgentProcess, id: String, group: String = "default") async throws
        -> (status: Int, kind: String?) {
        let curl = try ExternalTool.require("curl", package: "curl")
        let body = #"{"client_params":{"group":"\#(group)","id":"\#(id)"}}"#
        let run = try await ExternalTool.run(curl, [
            "-s", "-H", "fleet-lock-protocol: true", "-H", "Content-Type: application/json", "-d", body,
            "-w", "\n%{http_code}", "http://127.0.0.1:\(agent.httpPort)\(path)",
        ], timeout: .seconds(20))
        let lines = run.output.split(separator: "\n")
        let status = Int(lines.last ?? "") ?? 0
        let answer = lines.dropLast().joined(separator: "\n")
        let kind = (try? JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any])?["kind"] as? String
        return (status, kind)
    }

    @Test func oneRebootAtATimeAndAHolderKilledMidRebootKeepsItsSlot() async throws {
        let cluster = try ProcessCluster(count: 3, label: "fleetlock")
        defer { cluster.stop() }
        try cluster.startAll()
        let agents = cluster.agents
        let formed = await eventually(within: .seconds(20)) {
            await agents.asyncAllSatisfy { agent in
                let voters = await agent.cluster()?.voters.count
                let alive = await agent.members()?.filter { $0.status == "alive" }.count
                return voters == 3 && alive == 3
            }
        }
        try #require(formed != nil)

        #expect(try await Self.fleetLock("/v1/pre-reboot", at: agents[0], id: "zincati-1") == (200, "lock_held"))
        #expect(try await Self.fleetLock("/v1/pre-reboot", at: agents[1], id: "zincati-2") == (409, "failed_lock_semaphore_full"))
        #expect(try await Self.fleetLock("/v1/pre-reboot", at: agents[0], id: "zincati-1") == (200, "lock_held"), "recursive")
        #expect(try await Self.fleetLock("/v1/steady-state", at: agents[0], id: "someone-else") == (200, "lock_released"))
        let granted = await eventually(within: .seconds(5)) { await agents[2].eventNames().contains("slot-granted") }
        #expect(granted != nil, "every agent tells the grant")

        // The holder reboots: killed, then back with its data directory. Its slot stays held
        // throughout, so the next host waits, until its FleetLock client says steady state.
        agents[0].kill(SIGKILL)
        _ = await agents[0].waitForExit(timeout: .seconds(5))
        #expect(try await Self.fleetLock("/v1/pre-reboot", at: agents[1], id: "zincati-2") == (409, "failed_lock_semaphore_full"))
        try agents[0].start(join: cluster.base + 2, trust: cluster.trust)
        let back = await eventually(within: .seconds(15)) { await agents[0].status(of: "/v1/health/lb") == 200 }
        #expect(back != nil)
        #expect(try await Self.fleetLock("/v1/pre-reboot", at: agents[1], id: "zincati-2") == (409, "failed_lock_semaphore_full"))
        #expect(try await Self.fleetLock("/v1/steady-state", at: agents[0], id: "zincati-1") == (200, "lock_released"))
        #expect(try await Self.fleetLock("/v1/pre-reboot", at: agents[1], id: "zincati-2") == (200, "lock_held"))
        #expect(try await Self.fleetLock("/v1/steady-state", at: agents[1], id: "zincati-2") == (200, "lock_released"))
        let released = await eventually(within: .seconds(5)) { await agents[2].eventNames().filter { $0 == "slot-released" }.count == 2 }
        #expect(released != nil)

        // A drained member is out of service: with a budget of one, nobody else may reboot.
        #expect(try await agents[2].command("/v1/node/drain") == 200)
        let seenDrained = await eventually(within: .seconds(5)) {
            await agents[0].members()?.first { $0.name == "node-3" }?.serving == "draining"
        }
        #expect(seenDrained != nil)
        #expect(try await Self.fleetLock("/v1/pre-reboot", at: agents[0], id: "zincati-1") == (409, "failed_lock_semaphore_full"))
        #expect(try await agents[2].command("/v1/node/undrain") == 200)
        let undrained = await eventually(within: .seconds(10)) {
            (try? await Self.fleetLock("/v1/pre-reboot", at: agents[0], id: "zincati-1")).map { $0 == (200, "lock_held") } ?? false
        }
        #expect(undrained != nil)
    }
}
