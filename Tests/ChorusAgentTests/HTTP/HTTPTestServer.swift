import Foundation
import Logging
import NIOCore
import Testing
import ChorusCrypto
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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
        try await body(HTTPTestClient(base: "http://127.0.0.1:\(port)"))
        group.cancelAll()
    }
}

let testAdminToken = "test-admin-token"
/// The cluster authority of the test endpoint: it signs the operator tokens tests present.
let testAuthority = Ed25519KeyPair.generate()

/// What a test needs from a response.
struct HTTPTestResponse {
    var status: Int
    var contentType: String?
    var allow: String?
    var wwwAuthenticate: String?
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    func jsonObject() throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: body) as? [String: Any])
    }
}

struct HTTPTestClient: Sendable {
    let base: String

    /// `token` goes as `Bearer`; `authorization` sets the whole header instead.
    func request(
        _ path: String, method: String = "GET", token: String? = nil, authorization: String? = nil, json: String? = nil
    ) async throws -> HTTPTestResponse {
        var request = URLRequest(url: try #require(URL(string: base + path)))
        request.httpMethod = method
        if let json {
            request.httpBody = Data(json.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let header = authorization ?? token.map({ "Bearer \($0)" }) { request.setValue(header, forHTTPHeaderField: "Authorization") }
        request.timeoutInterval = 5
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return HTTPTestResponse(
            status: http.statusCode, contentType: http.value(forHTTPHeaderField: "Content-Type"),
            allow: http.value(forHTTPHeaderField: "Allow"),
            wwwAuthenticate: http.value(forHTTPHeaderField: "WWW-Authenticate"), body: data)
    }
}
