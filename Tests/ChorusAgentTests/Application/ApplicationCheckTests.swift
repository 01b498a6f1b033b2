import AsyncHTTPClient
import ChorusCore
import Foundation
import Testing

@testable import ChorusAgent

/// The application's version and health as the agent reads them (SPEC §13), against real files,
/// real commands under the guard and a real HTTP server (the agent's own endpoint stands in for
/// the application: `/v1/health` answers 200, `/v1/health/lb` 503 before the node joined).
@Suite("Application checks", .serialized)
struct ApplicationCheckTests {
    static let chorus = UpgradeTasksCommandTests.chorus.path

    func version(_ source: ApplicationChecks.VersionSource, timeout: Duration = .seconds(5)) async -> Result<String, ApplicationCheckFailure> {
        do {
            return .success(try await ApplicationVersion.read(source, timeout: timeout, guardExecutable: Self.chorus))
        } catch {
            return .failure(error)
        }
    }

    func withVersionFile<T>(_ content: String, _ body: (String) async throws -> T) async rethrows -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-version-\(UUID().uuidString)").path
        FileManager.default.createFile(atPath: path, contents: Data(content.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }

    func failure(_ result: Result<String, ApplicationCheckFailure>) -> String? {
        if case .failure(let failure) = result { return failure.description }
        return nil
    }

    @Test func aVersionFileIsReadWithoutTheBlanksAroundIt() async throws {
        let read = await withVersionFile("  1.2.3\n") { await version(.file($0)) }
        #expect(try read.get() == "1.2.3")
    }

    @Test func aVersionFileWithoutOneVersionIsRefused() async {
        for content in ["1.2", "1.2.3\n1.2.4\n", "v1.2.3", "", String(repeating: "1", count: 300)] {
            let read = await withVersionFile(content) { await version(.file($0)) }
            #expect(failure(read)?.hasPrefix("[app] version_file ") == true, "\(content.prefix(20))")
        }
        #expect(failure(await version(.file("/nonexistent/VERSION"))) == "[app] version_file /nonexistent/VERSION does not exist")
    }

    @Test func aVersionCommandIsReadFromItsStandardOutputAlone() async throws {
        #expect(try await version(.command("echo 'starting up' >&2; echo 2.0.1")).get() == "2.0.1")
    }

    @Test func aFailingOrHangingVersionCommandGivesNoVersion() async {
        #expect(failure(await version(.command("echo 1.0.0; exit 3"))) == "[app] version_command failed: exit 3: 1.0.0")
        let started = ContinuousClock.now
        let hung = await version(.command("sleep 30"), timeout: .milliseconds(300))
        #expect(failure(hung)?.hasPrefix("[app] version_command failed: timed out after 0.3 seconds") == true)
        #expect(ContinuousClock.now - started < .seconds(5), "the command's group is killed at the timeout")
    }

    func health(_ check: ApplicationChecks.HealthCheck, timeout: Duration = .seconds(5)) async -> String? {
        await ApplicationHealthCheck.run(check, timeout: timeout, client: HTTPClient.shared, guardExecutable: Self.chorus)?.description
    }

    @Test func aHealthURLIsHealthyOnlyWhileItAnswers2xx() async throws {
        let source = FakeStatusSource(local: FakeStatusSource.member("app-1", seed: 1, isLocal: true), joined: false)
        try await withHTTPServer(source: source) { client in
            #expect(await health(.url(client.base + "/v1/health")) == nil)
            #expect(await health(.url(client.base + "/v1/health/lb")) == "GET \(client.base)/v1/health/lb answered 503")
            #expect(await health(.url(client.base + "/nope")) == "GET \(client.base)/nope answered 404")
        }
    }

    @Test func aHealthURLNobodyAnswersIsUnhealthyWithinTheTimeout() async throws {
        let refused = try #require(await health(.url("http://127.0.0.1:\(try Self.closedPort())/health")))
        #expect(refused.hasPrefix("GET http://127.0.0.1:"))
        // A listener that never accepts: the connection opens, no answer ever comes.
        let silent = try SilentListener()
        defer { silent.close() }
        let started = ContinuousClock.now
        #expect(await health(.url("http://127.0.0.1:\(silent.port)/health"), timeout: .milliseconds(500)) != nil)
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    /// An application (or whatever holds its port) that answers 200 and never ends its body: the
    /// check reads 64 KiB and stops, rather than reading until its timeout calls it unhealthy.
    @Test func anEndlessHealthBodyIsCutShort() async throws {
        let endless = try SilentListener()
        defer { endless.close() }
        let written = endless.answerEndlessly()
        #expect(await health(.url("http://127.0.0.1:\(endless.port)/health"), timeout: .seconds(3)) == nil)
        let bytes = await written.value
        #expect(bytes >= ApplicationHealthCheck.maxBodyBytes && bytes < SilentListener.endlessLimit, "\(bytes) bytes written")
    }

    @Test func aHealthCommandIsHealthyWhileItExitsZero() async {
        #expect(await health(.command("true")) == nil)
        #expect(await health(.command("echo 'db down' >&2; exit 1")) == "[app] health_command: exit 1: db down")
        #expect(await health(.command("sleep 30"), timeout: .milliseconds(300))?.contains("timed out") == true)
    }

    @Test func aFixedVersionOverridesTheApplicationsOwn() {
        var configuration = AgentConfiguration.defaults
        configuration.appVersionCommand = "app --version"
        #expect(ApplicationChecks(configuration).version == .command("app --version"))
        configuration.appVersion = "1.4.2"
        #expect(ApplicationChecks(configuration).version == .fixed("1.4.2"))
        #expect(ApplicationChecks(AgentConfiguration.defaults).version == .fixed(ApplicationChecks.unknownVersion))
        #expect(ApplicationChecks(AgentConfiguration.defaults).isIdle)
    }

    /// Until its first check passes, a configured application is not counted healthy.
    @Test func aConfiguredCheckStartsUnhealthy() {
        var configuration = AgentConfiguration.defaults
        #expect(ApplicationChecks(configuration).healthBeforeFirstCheck == .unknown)
        configuration.appHealthURL = "http://127.0.0.1:8080/health"
        #expect(ApplicationChecks(configuration).healthBeforeFirstCheck == .unhealthy)
        #expect(!ApplicationChecks(configuration).isIdle)
    }

    /// A port nothing listens on: bound, then closed.
    static func closedPort() throws -> Int {
        let listener = try SilentListener()
        listener.close()
        return listener.port
    }
}

/// A TCP socket on 127.0.0.1 that listens and never accepts: connections complete in the
/// kernel's backlog, and nothing is ever answered.
struct SilentListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && listen(descriptor, 8) == 0
                    && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}

extension SilentListener {
    /// Enough that a reader with no cap runs into its timeout first.
    static let endlessLimit = 1 << 30

    /// Accepts one connection and answers 200 with a chunked body that goes on until the client
    /// hangs up (or `endlessLimit`); the bytes of body written.
    func answerEndlessly() -> Task<Int, Never> {
        let descriptor = descriptor
        return Task.detached {
            let connection = accept(descriptor, nil, nil)
            guard connection >= 0 else { return 0 }
            defer { _ = Glibc.close(connection) }
            // A client that stops reading but keeps the connection open must not hang the test.
            var patience = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &patience, socklen_t(MemoryLayout<timeval>.size))
            var request = [UInt8](repeating: 0, count: 4096)
            _ = recv(connection, &request, request.count, 0)
            func send(_ bytes: [UInt8]) -> Bool {
                bytes.withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
            }
            guard send(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)) else { return 0 }
            let chunk = Array("4000\r\n".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 0x4000) + Array("\r\n".utf8)
            var written = 0
            while written < SilentListener.endlessLimit, send(chunk) { written += 0x4000 }
            return written
        }
    }
}
