import ChorusCore
import ChorusCrypto
import ChorusWire
import Foundation
import Logging
import Synchronization
import Testing

@testable import ChorusAgent

/// Who may change the cluster (SPEC §2 Operators, §7): the node's admin token or an operator
/// token the authority signed, as Bearer in any case or as Basic's password; each mutation is
/// logged with who made it. Every refusal here is a token an attacker could present.
@Suite("Admin authorization")
struct AdminAuthorizationTests {
    static let now = UInt64(Date().timeIntervalSince1970)

    static func operatorToken(_ name: String, issuedAt: UInt64 = now - 60, expiresAt: UInt64 = now + 3600,
                              authority: Ed25519KeyPair = testAuthority) -> String {
        KeyFileFormat.encodeOperatorToken(
            OperatorCredential.issue(name: name, issuedAt: issuedAt, expiresAt: expiresAt, authority: authority))
    }

    static func basic(user: String, password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    /// Starts an upgrade (any mutation would do) and answers its status and its reason if refused.
    static func start(_ client: HTTPTestClient, _ source: FakeStatusSource, authorization: String?) async throws -> (Int, String?) {
        await source.answerCommands(with: .committed(slot: 1, value: .startUpgrade))
        let response = try await client.request("/v1/upgrade/start", method: "POST", authorization: authorization)
        return (response.status, try? response.jsonObject()["reason"] as? String)
    }

    @Test func theNodeTokenInEverySchemeSpellingAndAsBasicPassword() async throws {
        let source = ClusterEndpointTests.source()
        try await withHTTPServer(source: source) { client in
            for header in ["Bearer \(testAdminToken)", "bearer \(testAdminToken)", "BEARER \(testAdminToken)",
                           Self.basic(user: "admin", password: testAdminToken), Self.basic(user: "", password: testAdminToken)] {
                #expect(try await Self.start(client, source, authorization: header).0 == 200, "\(header)")
            }
            for header in [Self.basic(user: testAdminToken, password: "guess"), "Token \(testAdminToken)", "Bearer",
                           "Basic !!!not-base64", Self.basic(user: "admin", password: testAdminToken + "x")] {
                #expect(try await Self.start(client, source, authorization: header).0 == 401, "\(header)")
            }
            let refused = try await client.request("/v1/upgrade/start", method: "POST")
            #expect(refused.status == 401)
            // Foundation's client on Linux would hang on a Basic challenge.
            #expect(refused.wwwAuthenticate == "Bearer")
        }
        #expect(await source.commands.count == 5, "no refused request reached the cluster")
    }

    @Test func anOperatorTokenIsVerifiedOfflineAndLogged() async throws {
        let source = ClusterEndpointTests.source()
        let lines = CapturedLogLines()
        try await withHTTPServer(source: source, logger: Logger(label: "test") { _ in CapturingLogHandler(lines: lines) }) { client in
            let asAlice = try await Self.start(client, source, authorization: "Bearer " + Self.operatorToken("alice"))
            let asBob = try await Self.start(client, source, authorization: Self.basic(user: "jira", password: Self.operatorToken("bob")))
            #expect(asAlice.0 == 200)
            #expect(asBob.0 == 200)
        }
        let mutations = lines.all.filter { $0.message == "mutation" }
        #expect(mutations.map { $0.metadata["by"] } == ["operator alice", "operator bob"])
        #expect(mutations.first?.metadata["request"] == "POST /v1/upgrade/start")
    }

    @Test func forgedExpiredAndAlteredOperatorTokensAreRefused() async throws {
        let source = ClusterEndpointTests.source()
        let genuine = OperatorCredential.issue(name: "alice", issuedAt: Self.now - 60, expiresAt: Self.now + 3600, authority: testAuthority)
        var renamed = genuine
        renamed.name = "admin"
        var extended = genuine
        extended.expiresAt += 86_400 * 365
        let refusals: [(String, String)] = [
            (Self.operatorToken("alice", authority: Ed25519KeyPair.generate()), "not signed by this cluster's authority"),
            (Self.operatorToken("alice", issuedAt: Self.now - 7200, expiresAt: Self.now - 1), "expired"),
            (KeyFileFormat.encodeOperatorToken(renamed), "not signed"),
            (KeyFileFormat.encodeOperatorToken(extended), "not signed"),
            (String(KeyFileFormat.encodeOperatorToken(genuine).dropLast(8)), "operator token"),
            (KeyFileKind.operatorToken.prefix + "AAAA", "operator token"),
        ]
        try await withHTTPServer(source: source) { client in
            for (token, reason) in refusals {
                let (status, answer) = try await Self.start(client, source, authorization: "Bearer " + token)
                #expect(status == 401, "\(token)")
                #expect(answer?.contains(reason) == true, "\(answer ?? "no reason") should say \(reason)")
            }
        }
        #expect(await source.commands.isEmpty)
    }

    @Test func aRevokedOperatorIsRefusedUntilIssuedAnew() async throws {
        let source = ClusterEndpointTests.source()
        var cluster = FakeStatusSource.stableCluster
        cluster.agreed.apply(.revokeOperator(name: "alice", issuedBefore: Self.now), slot: 3)
        await source.setCluster(cluster)
        try await withHTTPServer(source: source) { client in
            let (status, reason) = try await Self.start(client, source, authorization: "Bearer " + Self.operatorToken("alice"))
            #expect(status == 401)
            #expect(reason?.contains("revoked") == true)
            #expect(try await Self.start(client, source, authorization: "Bearer " + Self.operatorToken("alice", issuedAt: Self.now + 1)).0 == 200,
                    "a credential issued after the revocation works")
            #expect(try await Self.start(client, source, authorization: "Bearer " + Self.operatorToken("carol")).0 == 200,
                    "revoking one name leaves the others")
        }
    }
}

/// Log records kept for a test to read.
final class CapturedLogLines: Sendable {
    struct Line: Sendable {
        var message: String
        var metadata: [String: String]
    }

    private let lines = Mutex<[Line]>([])
    var all: [Line] { lines.withLock { $0 } }
    func append(_ line: Line) { lines.withLock { $0.append(line) } }
}

struct CapturingLogHandler: LogHandler {
    let lines: CapturedLogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.append(.init(message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
}
