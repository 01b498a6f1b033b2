import Foundation
import Testing
import ChorusTesting

/// The gossip keyring on real agents through the CLI (SPEC §2 Confidentiality, §9): a rotation
/// while one agent is down, that agent coming back on the removed key and being re-keyed, and
/// an agent with a key the cluster never had kept out.
@Suite(.serialized) struct KeyringProcessTests {
    static let bound: Duration = .seconds(20)

    @Test func rotationWithAnAgentOfflineThenItRejoins() async throws {
        let cluster = try ProcessCluster(count: 3, label: "keyring")
        defer { cluster.stop() }
        let agents = cluster.agents
        let old = try Self.generateKey(), new = try Self.generateKey()
        let keyringFile = try Self.writeKeyring([old], in: cluster.workspace, named: "gossip.keys")
        let sealed = ["CHORUS_GOSSIP_KEYRING_FILE": keyringFile.path]
        for agent in agents { try agent.start(join: agent === agents[0] ? nil : cluster.base, trust: cluster.trust, environment: sealed) }
        let formed = await eventually(within: Self.bound) { await Self.allAlive(agents) }
        try #require(formed != nil, "3 sealed agents did not form within \(Self.bound)")
        let oldID = try #require(await agents[0].json("/v1/keyring")?["primary"] as? String)
        #expect(await agents[0].json("/v1/keyring")?["sealed"] as? Bool == true)

        // node-3 is down for the whole rotation.
        agents[2].kill(SIGKILL)
        _ = await agents[2].waitForExit(timeout: .seconds(5))
        for step in [["keyring", "install", new], ["keyring", "use", new], ["keyring", "remove", oldID]] {
            let (status, output) = try agents[0].runClientReadingOutput(step)
            #expect(status == 0, "chorus \(step.prefix(2).joined(separator: " ")): exit \(status): \(output)")
        }
        let newID = try #require(await agents[1].json("/v1/keyring")?["primary"] as? String)
        #expect(newID != oldID)
        #expect(await agents[1].json("/v1/keyring")?["removed"] as? [String] == [oldID])
        #expect(try agents[0].runClient(["keyring", "install", old]) == 3, "a removed key is never installed again (exit 3)")
        // Both survivors keep each other alive throughout (no downtime for the two that rotated).
        for agent in agents.prefix(2) {
            let other = agent === agents[0] ? agents[1] : agents[0]
            #expect(await agent.members()?.first { $0.name == other.name }?.status == "alive")
        }

        // node-3 comes back with only the removed key in its file and an old decision log.
        try agents[2].start(join: cluster.base, trust: cluster.trust, environment: sealed)
        let rejoined = await eventually(within: Self.bound) {
            guard await Self.allAlive(agents) else { return false }
            return await agents[2].json("/v1/keyring")?["primary"] as? String == newID
        }
        let seen = await agents[2].json("/v1/keyring")
        #expect(rejoined != nil, "node-3 not re-keyed and alive everywhere within \(Self.bound): its keyring \(String(describing: seen))")
        let listing = try agents[2].runClientReadingOutput(["keyring", "list"], admin: false).output
        #expect(listing.contains(newID) && listing.contains("removed"), "\(listing)")
    }

    @Test func anAgentWithAnotherKeyIsKeptOut() async throws {
        let cluster = try ProcessCluster(count: 3, label: "keyring-outsider")
        defer { cluster.stop() }
        let agents = cluster.agents
        let clusterFile = try Self.writeKeyring([try Self.generateKey()], in: cluster.workspace, named: "cluster.keys")
        let strangerFile = try Self.writeKeyring([try Self.generateKey()], in: cluster.workspace, named: "stranger.keys")
        for agent in agents.prefix(2) {
            try agent.start(join: agent === agents[0] ? nil : cluster.base, trust: cluster.trust,
                            environment: ["CHORUS_GOSSIP_KEYRING_FILE": clusterFile.path])
        }
        let formed = await eventually(within: Self.bound) { await Self.allAlive(Array(agents.prefix(2))) }
        try #require(formed != nil, "2 sealed agents did not form within \(Self.bound)")
        // A valid certificate from the same authority, but the wrong key: nothing it sends is opened.
        try agents[2].start(join: cluster.base, trust: cluster.trust, environment: ["CHORUS_GOSSIP_KEYRING_FILE": strangerFile.path])
        try await Task.sleep(for: .seconds(5))
        for agent in agents.prefix(2) {
            #expect(await agent.members()?.contains { $0.name == agents[2].name } == false, "\(agent.name) admitted the stranger")
        }
        let metrics = try #require(await agents[0].text("/metrics"))
        let refused = metrics.split(separator: "\n").first { $0.hasPrefix("chorus_datagrams_rejected_total") && $0.contains("badSeal") }
        #expect(refused.map { !$0.hasSuffix(" 0") } == true, "no badSeal rejections counted: \(String(describing: refused))")
    }

    static func allAlive(_ agents: [AgentProcess]) async -> Bool {
        for agent in agents {
            guard let members = await agent.members(), members.count == agents.count,
                  members.allSatisfy({ $0.status == "alive" }) else { return false }
        }
        return true
    }

    static func generateKey() throws -> String {
        let process = Process()
        process.executableURL = AgentProcess.binary
        process.arguments = ["keyring", "generate"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let key = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(process.terminationStatus == 0 && Data(base64Encoded: key)?.count == 32, "chorus keyring generate printed '\(key)'")
        return key
    }

    static func writeKeyring(_ keys: [String], in directory: URL, named name: String) throws -> URL {
        let file = directory.appendingPathComponent(name)
        try Data((["# gossip keys, the first one seals"] + keys).joined(separator: "\n").utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        return file
    }
}
