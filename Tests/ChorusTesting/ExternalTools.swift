import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// Programs from Debian packages the operations tests drive (haproxy, nginx, apache2, chromium,
/// systemd-analyze, python3). `tools/ensure-deps operations` installs them when missing; a test
/// that cannot find one fails and says so, rather than passing without having run.
public enum ExternalTool {
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The first executable named `name` on PATH or in the sbin directories (haproxy and nginx
    /// live in /usr/sbin, which a non-root PATH may lack).
    public static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return directories.lazy.map { URL(fileURLWithPath: $0).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// `find`, or a recorded failure naming the package to install.
    public static func require(_ name: String, package: String) throws -> URL {
        try #require(find(name), "\(name) not found: run tools/ensure-deps operations (installs Debian package \(package))")
    }

    /// Runs a program to completion with a deadline (it is killed past it); returns its exit
    /// status (nil if killed) and its stdout and stderr together.
    public static func run(_ executable: URL, _ arguments: [String], timeout: Duration = .seconds(60)) async throws
        -> (status: Int32?, output: String)
    {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-tool-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            return (nil, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
        }
        return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }
}

/// A long-running helper process (a toy backend, HAProxy) whose output goes to a log file, and
/// which is killed when the test is done with it.
public final class BackgroundProcess: @unchecked Sendable {
    private let process = Process()
    public let log: URL

    public init(_ executable: URL, _ arguments: [String], log: URL) throws {
        self.log = log
        process.executableURL = executable
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    public var isRunning: Bool { process.isRunning }

    /// SIGTERM first, so a master process (nginx) stops its workers instead of orphaning them;
    /// SIGKILL after 5 s. Polls `isRunning`: `waitUntilExit` can hang when called from a task.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    public var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
}

/// The tests' HTTP client: like the CLI's, it reports a refused connection at once, where
/// AsyncHTTPClient's default retries until the deadline (a stopped agent is a common answer here).
public let testHTTPClient: HTTPClient = {
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool.retryConnectionEstablishment = false
    return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
}()

/// One plain HTTP exchange on a new connection (`Connection: close`), so a load balancer picks
/// a server for every request; nil when nothing answered within `timeout`.
public func fetch(_ url: String, method: String = "GET", headers: [String: String] = [:], body: Data? = nil,
           timeout: Duration = .seconds(5)) async -> (status: Int, body: String)? {
    var request = HTTPClientRequest(url: url)
    request.method = HTTPMethod(rawValue: method)
    request.headers.add(name: "Connection", value: "close")
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    request.body = body.map { .bytes(ByteBuffer(bytes: $0)) }
    guard let response = try? await testHTTPClient.execute(request, timeout: TimeAmount(timeout)),
          let answer = try? await response.body.collect(upTo: 64 << 20) else { return nil }
    return (Int(response.status.code), String(buffer: answer))
}

/// Runs `tool` with `arguments` to completion, its output discarded; returns its exit status.
public func runTool(_ tool: String, _ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}
