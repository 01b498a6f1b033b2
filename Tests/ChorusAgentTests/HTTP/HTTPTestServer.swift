import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import ChorusCrypto

@testable import ChorusAgent

/// Runs the real endpoint on 127.0.0.1 with an ephemeral port for the duration of `body`.
func withHTTPServer(
    source: FakeStatusSource, journal: EventJournal = EventJournal(node: "test"),
    logger: Logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
    _ body: @Sendable (HTTPTestClient) async throws -> Void
) async throws {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let application = makeHTTPApplication(
        host: "127.0.0.1", port: 0, source: source, metrics: MetricsExporter(), adminToken: testAdminToken,
        authorityKey: testAuthority.publicKey, journal: journal, logger: logger,
        onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) })
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await application.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        try await body(HTTPTestClient(port: port))
        group.cancelAll()
    }
}

let testAdminToken = "test-admin-token"
/// The cluster authority of the test endpoint: it signs the operator tokens tests present.
let testAuthority = Ed25519KeyPair.generate()

/// What a test needs from a response.
struct HTTPTestResponse {
    var status: Int
    var headers: HTTPFields
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
    var contentType: String? { headers[.contentType] }
    var allow: String? { headers[.allow] }
    var wwwAuthenticate: String? { headers[.wwwAuthenticate] }

    func jsonObject() throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: body) as? [String: Any])
    }
}

/// Requests to the endpoint under test, one connection each, through Hummingbird's test client.
struct HTTPTestClient: Sendable {
    let port: Int

    var base: String { "http://127.0.0.1:\(port)" }

    /// `token` goes as `Bearer`; `authorization` sets the whole header instead. `host` is sent as
    /// `Host` (a client's default, the address it connected to, when nil).
    func request(
        _ path: String, method: String = "GET", token: String? = nil, authorization: String? = nil,
        json: String? = nil, host: String? = nil, extraHeaders: [String: String] = [:]
    ) async throws -> HTTPTestResponse {
        var headers = HTTPFields()
        for (name, value) in extraHeaders { headers[try #require(HTTPField.Name(name))] = value }
        if json != nil { headers[.contentType] = "application/json" }
        if let header = authorization ?? token.map({ "Bearer \($0)" }) { headers[.authorization] = header }
        let request = TestClient.Request(path, method: try #require(HTTPRequest.Method(method)), authority: host ?? "127.0.0.1:\(port)", headers: headers,
                                         body: json.map { ByteBuffer(string: $0) })
        let response = try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(5))) {
            try await $0.execute(request)
        }
        return HTTPTestResponse(status: response.status.code, headers: response.headers,
                                body: Data((response.body ?? ByteBuffer()).readableBytesView))
    }

    /// Opens a Server-Sent Events stream and reads it until `count` events came (or 5 s passed):
    /// Hummingbird's test client waits for a response's end, which a followed stream never has.
    func events(_ path: String, headers: [String: String] = [:], count: Int) async throws
        -> (contentType: String?, events: [ServerSentEvent]) {
        var request = HTTPClientRequest(url: base + path)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for try await piece in response.body {
            events += parser.consume(piece.readableBytesView)
            if events.count >= count { break }
        }
        return (response.headers.first(name: "Content-Type"), events)
    }
}
