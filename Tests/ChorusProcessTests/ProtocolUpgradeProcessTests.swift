import Foundation
import Testing
import ChorusTesting

/// Chorus upgrades itself with itself (SPEC §3): four agents started on the previous release's
/// binary are rolled, one at a time, to this build's binary (graceful stop, same data directory,
/// name and ports). After every step every agent sees every other alive with the protocol that
/// member runs, no agent reported a live member suspect or dead, and decisions proposed through
/// a new agent and through an old one reach every agent. At two mixed steps an agent is killed
/// (-9), a new one among old ones and an old one among new ones, and the survivors must declare
/// it dead within the detection bound.
///
/// The previous binary comes from `CHORUS_PREVIOUS_BINARY`, which tools/upgrade-compat sets after
/// building the commit in tools/previous-release. Without it the test fails: it is skipped by
/// tools/test's process run and run by tools/upgrade-compat (docs/upgrades.md).
@Suite(.serialized) struct ProtocolUpgradeProcessTests {
    /// kill -9 detection bound for the lan preset, as in ClusterProcessTests.
    static let detectionBound: Duration = .seconds(6)
    static let convergenceBound: Duration = .seconds(20)
    static let decisionBound: Duration = .seconds(5)

    @Test func rollEveryAgentFromThePreviousBinaryToThisOne() async throws {
        let path = ProcessInfo.processInfo.environment["CHORUS_PREVIOUS_BINARY"]
        let previous = URL(fileURLWithPath: try #require(
            path, "CHORUS_PREVIOUS_BINARY is unset: run tools/upgrade-compat, which builds the previous release and runs this test"))
        try #require(FileManager.default.isExecutableFile(atPath: previous.path), "CHORUS_PREVIOUS_BINARY=\(previous.path) is not an executable")
        let current = AgentProcess.binary
        let cluster = try MixedCluster(previous: previous)
        defer { cluster.stop() }
        let agents = cluster.agents
        let oldProtocol = try Self.protocolVersion(of: previous), newProtocol = try Self.protocolVersion(of: current)
        print("rolling from protocol \(oldProtocol) (\(previous.path)) to protocol \(newProtocol) (\(current.path)), gossip ports from \(cluster.base)")

        for agent in agents { try cluster.start(agent, on: previous) }
        try await cluster.expectConverged("all on the previous binary")
        try await cluster.expectProbedEachOther("all previous")
        try await cluster.expectDecisions("all previous", through: [agents[0], agents[2]])
        try await cluster.expectQuiet("all previous")

        for (index, agent) in agents.enumerated() {
            let step = "step \(index + 1): \(agent.name) to the new binary"
            try await cluster.restart(agent, on: current)
            try await cluster.expectConverged(step)
            try await cluster.expectProbedEachOther(step)
            let old = agents.filter { $0.executable == previous }
            try await cluster.expectDecisions(step, through: [agent] + old.prefix(1))
            try await cluster.expectQuiet(step)

            // Detection across versions: a new agent dies among old ones (step 1), an old one among new ones (step 2).
            let victim: AgentProcess? = index == 0 ? agent : index == 1 ? old.last : nil
            if let victim {
                let detection = "\(step), kill -9 of \(victim.name) on the \(victim.executable == previous ? "previous" : "new") binary"
                try await cluster.expectDetected(victim, detection)
                try await cluster.expectQuiet(detection, allowing: [victim.name])
                try cluster.start(victim, on: victim.executable)
                try await cluster.expectConverged("\(detection), restarted")
                try await cluster.expectProbedEachOther("\(detection), restarted")
                try await cluster.expectQuiet("\(detection), restarted")
            }
        }

        #expect(agents.allSatisfy { $0.executable == current })
        for agent in agents {
            #expect(await cluster.selfView(of: agent)?.protocolVersion == newProtocol, "\(agent.name) does not run protocol \(newProtocol)")
        }
        try await cluster.expectDecisions("all new", through: [agents[3], agents[1]])
        try await cluster.expectQuiet("all new")
    }

    /// The heartbeat protocol a binary names in `chorus --version` ("protocol 2, envelope 1";
    /// "wire protocol 1" before protocol 2).
    static func protocolVersion(of binary: URL) throws -> UInt8 {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let printed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let match = try #require(printed.firstMatch(of: /protocol (\d+)/), "no protocol in \(binary.path) --version: \(printed)")
        return try #require(UInt8(match.1))
    }
}

/// Four agents on loopback whose binaries the test picks per start, and a cursor into each
/// agent's event stream so every step is checked for the suspicions and deaths it caused.
final class MixedCluster: @unchecked Sendable {
    let workspace: URL
    let trust: URL
    let base: Int
    let agents: [AgentProcess]
    /// The previous release's binary.
    let previous: URL
    /// Per agent, the last event id already checked in its current run.
    private var cursors: [String: UInt64] = [:]
    private var step = 0
    /// Per restarted agent, the incarnation its current run began with (its stored one + 1) and when.
    private var restartedLives: [String: (incarnation: UInt64, at: Date)] = [:]
    /// How long after a restart a probe of the old life can still end: one probe interval
    /// stretched by the highest local health (lan: 500 ms × 9), and a second for the events'
    /// whole-second times.
    static let oldLifeProbeWindow: TimeInterval = 5.5
    /// Set by tools/upgrade-compat when the previous release predates dbd9c3d: its agents accuse a
    /// restarted member's new life when a probe of its old life (killed, or left) ends after the
    /// restart, or a refutation that followed it. Such a suspicion, of the run a restart began,
    /// within `oldLifeProbeWindow` of the restart, while an agent still runs the previous binary,
    /// is printed, not failed.
    let previousAccusesRestarts = ProcessInfo.processInfo.environment["CHORUS_PREVIOUS_ACCUSES_RESTARTS"] == "1"

    /// What an agent says about a member (`/v1/members`, `/v1/self`), with the protocol the member's heartbeat carries.
    struct View: Decodable {
        let name: String
        let status: String
        let incarnation: UInt64
        let protocolVersion: UInt8
    }

    init(previous: URL) throws {
        self.previous = previous
        workspace = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-protocol-upgrade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        trust = workspace.appendingPathComponent("trust")
        // The authority an operator created with the release the cluster started on.
        let keys = Process()
        keys.executableURL = previous
        keys.arguments = ["keys", "init", "--dir", trust.path]
        keys.standardOutput = FileHandle.nullDevice
        try keys.run()
        keys.waitUntilExit()
        try #require(keys.terminationStatus == 0, "chorus keys init (previous binary) failed")
        let base = TestPorts.randomBase()
        self.base = base
        let workspace = workspace
        agents = (0..<4).map { index in
            AgentProcess(name: "node-\(index + 1)", gossipPort: base + 2 * index, httpPort: base + 2 * index + 1,
                         dataDirectory: workspace.appendingPathComponent("data-\(index + 1)"))
        }
    }

    /// node-1 founds the cluster on its first start and every other joins it; a restart joins
    /// every other agent, as an operator gives seeds once the cluster exists (docs/upgrades.md).
    func start(_ agent: AgentProcess, on binary: URL) throws {
        let founding = agent === agents[0] && !FileManager.default.fileExists(atPath: agent.dataDirectory.path)
        let restarting = FileManager.default.fileExists(atPath: agent.dataDirectory.path)
        let seeds = founding ? [] : restarting ? agents.filter { $0 !== agent }.map { "127.0.0.1:\($0.gossipPort)" }
                                               : ["127.0.0.1:\(agents[0].gossipPort)"]
        if restarting {
            let stored = (try? String(contentsOf: agent.dataDirectory.appendingPathComponent("incarnation"), encoding: .utf8))
                .flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
            restartedLives[agent.name] = (stored + 1, Date())
        }
        try agent.start(joining: seeds, trust: trust, executable: binary)
        cursors[agent.name] = 0
    }

    /// SIGTERM (graceful leave) and, once it exited, the same data directory, name and ports on `binary`.
    func restart(_ agent: AgentProcess, on binary: URL) async throws {
        agent.kill(SIGTERM)
        let status = await agent.waitForExit(timeout: .seconds(10))
        try #require(status == 0, "\(agent.name) did not stop cleanly on SIGTERM: \(String(describing: status))")
        try start(agent, on: binary)
    }

    /// Every agent answers, sees four members alive, and sees each member with the protocol that member reports itself.
    func expectConverged(_ step: String) async throws {
        let converged = await eventually(within: ProtocolUpgradeProcessTests.convergenceBound) {
            var protocols: [String: UInt8] = [:]
            for agent in agents {
                guard let own = await selfView(of: agent) else { return false }
                protocols[own.name] = own.protocolVersion
            }
            for agent in agents {
                guard let members = await views(at: agent), members.count == agents.count,
                      members.allSatisfy({ $0.status == "alive" && protocols[$0.name] == $0.protocolVersion }) else { return false }
            }
            return true
        }
        let seen = await describeViews()
        try #require(converged != nil, "\(step): not every agent sees four alive members with their protocols within \(ProtocolUpgradeProcessTests.convergenceBound): \(seen)")
    }

    /// Waits until every agent has sent at least two round-robin passes of probes (2 × (N − 1))
    /// since the step began: old and new agents have probed each other, in both directions,
    /// before the step is judged. Without it a step took under a second and a new agent could be
    /// killed before it ever probed an old one.
    func expectProbedEachOther(_ step: String) async throws {
        var start: [String: Int] = [:]
        for agent in agents { start[agent.name] = await probesSent(by: agent) ?? 0 }
        let wanted = 2 * (agents.count - 1)
        let probed = await eventually(within: ProtocolUpgradeProcessTests.convergenceBound) {
            for agent in agents {
                guard let sent = await probesSent(by: agent), sent - (start[agent.name] ?? 0) >= wanted else { return false }
            }
            return true
        }
        #expect(probed != nil, "\(step): not every agent sent \(wanted) probes within \(ProtocolUpgradeProcessTests.convergenceBound)")
    }

    /// `chorus_probes_sent_total` of an agent's /metrics.
    func probesSent(by agent: AgentProcess) async -> Int? {
        guard let text = await get("/metrics", from: agent) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix("chorus_probes_sent_total ") }
            .flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) }
    }

    /// A banner set through each of `proposers`, then maintenance on through the first and off
    /// through the last (HTTP, with each agent's admin token); every agent must serve each decision.
    func expectDecisions(_ step: String, through proposers: [AgentProcess]) async throws {
        self.step += 1
        for proposer in proposers {
            let message = "decision \(self.step) through \(proposer.name)"
            let answer = try await decide("PUT", "/v1/banner", json: #"{"message":"\#(message)","level":"info"}"#, through: proposer)
            #expect(answer.status == 200, "\(step): PUT /v1/banner through \(proposer.name): \(answer.status) \(answer.body)")
            let served = await eventually(within: ProtocolUpgradeProcessTests.decisionBound) {
                for agent in agents where await agent.json("/v1/banner")?["message"] as? String != message { return false }
                return true
            }
            #expect(served != nil, "\(step): banner '\(message)' not served by every agent within \(ProtocolUpgradeProcessTests.decisionBound)")
        }
        let first = proposers[0], last = proposers[proposers.count - 1]
        let message = "maintenance \(self.step) through \(first.name)"
        let on = try await decide("PUT", "/v1/maintenance", json: #"{"message":"\#(message)"}"#, through: first)
        #expect(on.status == 200, "\(step): PUT /v1/maintenance through \(first.name): \(on.status) \(on.body)")
        let everyCheckRefuses = await eventually(within: ProtocolUpgradeProcessTests.decisionBound) {
            for agent in agents {
                guard let body = await agent.json("/v1/health/lb"), body["reason"] as? String == "maintenance",
                      body["message"] as? String == message else { return false }
            }
            return true
        }
        #expect(everyCheckRefuses != nil, "\(step): maintenance through \(first.name) not in every load-balancer check within \(ProtocolUpgradeProcessTests.decisionBound)")
        let off = try await decide("DELETE", "/v1/maintenance", through: last)
        #expect(off.status == 200, "\(step): DELETE /v1/maintenance through \(last.name): \(off.status) \(off.body)")
        let traffic = await eventually(within: ProtocolUpgradeProcessTests.decisionBound) {
            for agent in agents where await agent.status(of: "/v1/health/lb") != 200 { return false }
            return true
        }
        #expect(traffic != nil, "\(step): maintenance off through \(last.name) not seen by every agent within \(ProtocolUpgradeProcessTests.decisionBound)")
    }

    /// A mutation through `agent` with its admin token; the status and body it answered (0 when it did not).
    /// HTTP rather than the CLI: a debug `chorus` process per command took CPU the agents' timers needed.
    func decide(_ method: String, _ path: String, json: String? = nil, through agent: AgentProcess) async throws -> (status: Int, body: String) {
        try await agent.mutation(method, path, json: json, timeout: .seconds(15)) ?? (0, "no answer")
    }

    /// kill -9 of `victim`; every survivor must see it dead within the detection bound.
    func expectDetected(_ victim: AgentProcess, _ step: String) async throws {
        victim.kill(SIGKILL)
        _ = await victim.waitForExit(timeout: .seconds(5))
        let survivors = agents.filter { $0 !== victim }
        let detected = await eventually(within: ProtocolUpgradeProcessTests.detectionBound) {
            for agent in survivors where await views(at: agent)?.first(where: { $0.name == victim.name })?.status != "dead" {
                return false
            }
            return true
        }
        let seen = await describeViews()
        #expect(detected != nil, "\(step): not dead at every survivor within \(ProtocolUpgradeProcessTests.detectionBound): \(seen)")
    }

    /// No running agent reported `member-suspect` or `member-failed` since the last check, except for
    /// members in `allowed` (the one the test killed). A graceful stop must show as a leave only.
    func expectQuiet(_ step: String, allowing allowed: Set<String> = []) async throws {
        for agent in agents where agent.isRunning {
            let events = await events(of: agent, after: cursors[agent.name] ?? 0)
            var accusations = events.filter {
                ($0.event == "member-suspect" || $0.event == "member-failed") && !allowed.contains($0.member ?? "")
            }
            if previousAccusesRestarts, agents.contains(where: { $0.isRunning && $0.executable == previous }) {
                let known = accusations.filter { event in
                    guard event.event == "member-suspect", let incarnation = event.incarnation,
                          let life = event.member.flatMap({ restartedLives[$0] }), incarnation >= life.incarnation,
                          let time = ISO8601DateFormatter().date(from: event.time) else { return false }
                    return time.timeIntervalSince(life.at) <= Self.oldLifeProbeWindow
                }
                for event in known {
                    print("\(step): \(agent.name) reported member-suspect \(event.member ?? "?") incarnation \(event.incarnation ?? 0) "
                          + "at \(event.time), in the run a restart began: the previous release's probe of the old life (known, fixed in dbd9c3d)")
                }
                accusations.removeAll { event in known.contains { $0.id == event.id } }
            }
            #expect(accusations.isEmpty, "\(step): \(agent.name) reported \(accusations.map { "\($0.event) \($0.member ?? "?") incarnation \($0.incarnation ?? 0) at \($0.time)" })")
            if let last = events.last { cursors[agent.name] = last.id }
        }
    }

    struct Event {
        let id: UInt64
        let event: String
        let member: String?
        let incarnation: UInt64?
        let time: String
    }

    /// The events an agent holds after `lastID` (`/v1/events?follow=false`).
    func events(of agent: AgentProcess, after lastID: UInt64) async -> [Event] {
        await agent.heldEvents().compactMap { event -> Event? in
            guard let object = (try? JSONSerialization.jsonObject(with: Data(event.data.utf8))) as? [String: Any],
                  let id = (object["id"] as? NSNumber)?.uint64Value, id > lastID,
                  let name = object["event"] as? String else { return nil }
            let member = object["member"] as? [String: Any]
            return Event(id: id, event: name, member: member?["name"] as? String,
                         incarnation: (member?["incarnation"] as? NSNumber)?.uint64Value, time: object["time"] as? String ?? "")
        }
    }

    func views(at agent: AgentProcess) async -> [View]? {
        guard let text = await get("/v1/members", from: agent) else { return nil }
        return try? JSONDecoder().decode([View].self, from: Data(text.utf8))
    }

    func selfView(of agent: AgentProcess) async -> View? {
        guard let text = await get("/v1/self", from: agent) else { return nil }
        return try? JSONDecoder().decode(View.self, from: Data(text.utf8))
    }

    /// The body of a 200 answer to `GET path`, or nil; a stopped agent costs at most 2 s.
    func get(_ path: String, from agent: AgentProcess) async -> String? {
        guard let answer = await agent.get(path, timeout: .seconds(2)), answer.status == 200 else { return nil }
        return answer.body
    }

    /// "node-1: node-1 alive p2 i3, node-2 suspect p1 i1 | ...", for failure messages.
    func describeViews() async -> String {
        var lines: [String] = []
        for agent in agents {
            let members = await views(at: agent)
            lines.append("\(agent.name): " + (members?.map { "\($0.name) \($0.status) p\($0.protocolVersion) i\($0.incarnation)" }
                .joined(separator: ", ") ?? "no answer"))
        }
        return lines.joined(separator: " | ")
    }

    /// Kills every agent; keeps the workspace (agent logs, data directories) when CHORUS_KEEP_WORKSPACE is set.
    func stop() {
        for agent in agents { agent.kill(SIGKILL) }
        if ProcessInfo.processInfo.environment["CHORUS_KEEP_WORKSPACE"] != nil {
            print("agent logs and data kept in \(workspace.path)")
        } else {
            try? FileManager.default.removeItem(at: workspace)
        }
    }
}
