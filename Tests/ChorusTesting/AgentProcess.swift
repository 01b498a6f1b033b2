import ChorusAgent
import Foundation
import Testing

/// A real `chorus agent` child process on loopback, driven through its HTTP endpoint.
public final class AgentProcess: @unchecked Sendable {
    public let name: String
    public let gossipPort: Int
    public let httpPort: Int
    public let dataDirectory: URL
    private var process: Process?
    /// The binary of the last start: `AgentProcess.binary` unless a test chose another (an older release).
    public private(set) var executable = AgentProcess.binary

    /// One log per agent across its restarts, appended to, so a failure can be read whole.
    public let logFile: URL

    /// `logName` tells apart two agents given one name (a namesake test); the name by default.
    public init(name: String, gossipPort: Int, httpPort: Int, dataDirectory: URL, logName: String? = nil) {
        self.name = name
        self.gossipPort = gossipPort
        self.httpPort = httpPort
        self.dataDirectory = dataDirectory
        logFile = dataDirectory.deletingLastPathComponent().appendingPathComponent("\(logName ?? name).log")
    }

    /// What the agent has logged so far, across its restarts.
    public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// The binary under test: $CHORUS_BIN, else the debug build of this package.
    public static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["CHORUS_BIN"] { return URL(fileURLWithPath: path) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/chorus")
    }

    /// A nil `version` gives no --app-version: the agent reads its application's own (`[app]`).
    public func start(join seed: Int?, trust: URL, version: String? = "1.0.0", environment: [String: String] = [:]) throws {
        try start(joining: seed.map { ["127.0.0.1:\($0)"] } ?? [], trust: trust, version: version, environment: environment)
    }

    public func start(joining seeds: [String], trust: URL, version: String? = "1.0.0", environment: [String: String] = [:],
               executable: URL = AgentProcess.binary) throws {
        let process = Process()
        process.executableURL = executable
        self.executable = executable
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        var arguments = ["agent", "--name", name, "--bind", "127.0.0.1:\(gossipPort)", "--http", "127.0.0.1:\(httpPort)",
                         "--data-dir", dataDirectory.path, "--authority-key", trust.appendingPathComponent("authority.key").path]
        if let version { arguments += ["--app-version", version] }
        for seed in seeds { arguments += ["--join", seed] }
        process.arguments = arguments
        if !FileManager.default.fileExists(atPath: logFile.path) { _ = FileManager.default.createFile(atPath: logFile.path, contents: nil) }
        // Opening it below fails loudly if it could not be created.
        let handle = try FileHandle(forWritingTo: logFile)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
    }

    public func kill(_ signal: Int32) {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit, up to `timeout`; returns its exit status if it did.
    public func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while let process, process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        guard let process, !process.isRunning else { return nil }
        return process.terminationStatus
    }

    public var isRunning: Bool { process?.isRunning ?? false }
    public var pid: Int32? { process?.processIdentifier }

    public struct Member: Decodable, Equatable {
        public let name: String
        public let status: String
        public let incarnation: UInt64
        public let version: String
        public let serving: String
    }

    /// This agent's /v1/members, or nil when it does not answer.
    public func members() async -> [Member]? {
        guard let answer = await get("/v1/members", timeout: .seconds(1)), answer.status == 200 else { return nil }
        return try? JSONDecoder().decode([Member].self, from: Data(answer.body.utf8))
    }
}

extension AgentProcess {
    public struct Cluster: Decodable {
        public let state: String
        public let clusterVersion: String
        public let taskRunner: String?
        public let voters: [String]
    }

    /// This agent's /v1/cluster, or nil when it does not answer.
    public func cluster() async -> Cluster? {
        guard let answer = await get("/v1/cluster", timeout: .seconds(1)), answer.status == 200 else { return nil }
        return try? JSONDecoder().decode(Cluster.self, from: Data(answer.body.utf8))
    }

    /// POSTs (or DELETEs) with this agent's admin token; returns the status code, 0 when the agent did not answer.
    public func command(_ path: String, method: String = "POST") async throws -> Int {
        try await mutation(method, path, timeout: .seconds(15))?.status ?? 0
    }
}

extension AgentProcess {
    /// The status and body of `GET path` on this agent, or nil when it does not answer within `timeout`.
    public func get(_ path: String, timeout: Duration = .seconds(5)) async -> (status: Int, body: String)? {
        await fetch("http://127.0.0.1:\(httpPort)\(path)", timeout: timeout)
    }

    /// The status code of `GET path` on this agent, or nil when it does not answer.
    public func status(of path: String) async -> Int? {
        await get(path, timeout: .seconds(1))?.status
    }

    /// The JSON object `GET path` answers (whatever the status), or nil when it does not answer.
    public func json(_ path: String) async -> [String: Any]? {
        guard let answer = await get(path, timeout: .seconds(1)) else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [String: Any]
    }

    /// The body of `GET path` as text (e.g. /metrics), or nil when it does not answer.
    public func text(_ path: String) async -> String? {
        await get(path)?.body
    }

    /// The events this agent holds (`/v1/events?follow=false`), in order; none when it does not answer.
    public func heldEvents() async -> [ServerSentEvent] {
        guard let answer = await get("/v1/events?follow=false") else { return [] }
        var parser = ServerSentEventParser()
        return parser.consume(answer.body.utf8)
    }

    /// The names of the events this agent holds, in order.
    public func eventNames() async -> [String] {
        await heldEvents().map(\.name)
    }

    /// Runs a `chorus` client command against this agent with its data directory's admin token; returns the exit status.
    public func runClient(_ arguments: [String]) throws -> Int32 {
        try runClientReadingOutput(arguments).status
    }

    /// Like `runClient`, with what the command printed on stdout; reads (`admin` false) take no token.
    /// The client is the agent's own binary, as an operator on that host would run it.
    public func runClientReadingOutput(_ arguments: [String], admin: Bool = true) throws -> (status: Int32, output: String) {
        let run = try runClientCapturing(arguments, admin: admin)
        return (run.status, run.output)
    }

    /// Like `runClient`, with what the command printed on stderr: where a refusal's reason goes.
    public func runClientReadingError(_ arguments: [String], admin: Bool = true) throws -> (status: Int32, error: String) {
        let run = try runClientCapturing(arguments, admin: admin)
        return (run.status, run.error)
    }

    /// The client's exit status, stdout and stderr (both short: read one after the other).
    private func runClientCapturing(_ arguments: [String], admin: Bool) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments + ["--http-addr", "127.0.0.1:\(httpPort)"] + (admin ? ["--data-dir", dataDirectory.path] : [])
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complained = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: printed, as: UTF8.self), String(decoding: complained, as: UTF8.self))
    }
}

/// Real agents on loopback with a fresh authority and random ports: node-1 founds the cluster,
/// the others join it. `stop()` kills them all (-9) and removes the workspace.
public struct ProcessCluster {
    public let workspace: URL
    public let trust: URL
    /// node-1's gossip port; agent i gossips on base + 2i and serves HTTP on base + 2i + 1.
    public let base: Int
    public let agents: [AgentProcess]

    public init(count: Int, label: String) throws {
        workspace = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        trust = workspace.appendingPathComponent("trust")
        try runChorus(["keys", "init", "--dir", trust.path])
        let base = TestPorts.randomBase()
        self.base = base
        let workspace = workspace
        agents = (0..<count).map { index in
            AgentProcess(name: "node-\(index + 1)", gossipPort: base + 2 * index, httpPort: base + 2 * index + 1,
                         dataDirectory: workspace.appendingPathComponent("data-\(index + 1)"))
        }
    }

    public func startAll() throws {
        for agent in agents { try agent.start(join: agent === agents[0] ? nil : base, trust: trust) }
    }

    public func stop() {
        for agent in agents { agent.kill(SIGKILL) }
        try? FileManager.default.removeItem(at: workspace)
    }
}

/// Polls `condition` every 100 ms until it holds or `bound` passes; returns how long it took.
public func eventually(within bound: Duration, _ condition: () async -> Bool) async -> Duration? {
    let start = ContinuousClock.now
    while ContinuousClock.now - start < bound {
        if await condition() { return ContinuousClock.now - start }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return nil
}

extension Array where Element: Sendable {
    /// `allSatisfy` for an async predicate, e.g. a condition every agent's endpoint must meet.
    public func asyncAllSatisfy(_ predicate: (Element) async -> Bool) async -> Bool {
        for element in self where await !predicate(element) { return false }
        return true
    }
}

/// Runs a short `chorus` command (e.g. `keys init`) and expects it to succeed.
public func runChorus(_ arguments: [String]) throws {
    let process = Process()
    process.executableURL = AgentProcess.binary
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "chorus \(arguments.joined(separator: " ")) failed")
}
