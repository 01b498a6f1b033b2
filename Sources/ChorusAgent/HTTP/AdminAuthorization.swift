import ChorusCrypto
import ChorusWire
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Who may change the cluster (SPEC §7, §2 Operators): the node's own `admin.token`, or an
/// operator token signed by the cluster authority and not revoked. Either comes as `Bearer`
/// (any case) or as HTTP Basic's password with any user name, as Jira scripts send it. Every
/// mutation allowed is logged with who made it.
struct AdminAuthorization: Sendable {
    enum Caller: Sendable, Equatable, CustomStringConvertible {
        /// The node's `admin.token`: the CLI on this host.
        case node
        case operatorNamed(String)

        var description: String {
            switch self {
            case .node: "node admin token"
            case .operatorNamed(let name): "operator \(name)"
            }
        }
    }

    let token: String
    let authorityKey: [UInt8]
    /// Whether the agreed state revoked the operator credentials of a name issued at a time.
    let isRevoked: @Sendable (_ name: String, _ issuedAt: UInt64) async -> Bool
    let unixSeconds: @Sendable () -> UInt64
    let logger: Logger

    @discardableResult
    func check(_ request: Request) async throws -> Caller {
        guard let presented = Self.presentedToken(request.headers[.authorization]) else {
            throw Self.refusal("this request changes the cluster: send Authorization: Bearer <token>, or Basic with the token as password (admin.token in the data directory, or an operator token)")
        }
        let caller = try await identify(presented)
        logger.info("mutation", metadata: ["by": "\(caller)", "request": "\(request.method) \(request.uri.path)"])
        return caller
    }

    private func identify(_ presented: String) async throws -> Caller {
        if Self.constantTimeEquals(presented, token) { return .node }
        guard presented.hasPrefix(KeyFileKind.operatorToken.prefix) else {
            throw Self.refusal("the token matches neither admin.token nor an operator token's format")
        }
        let credential: OperatorCredential
        do {
            credential = try KeyFileFormat.decodeOperatorToken(presented)
        } catch {
            throw Self.refusal("\(error)")
        }
        if let problem = credential.refusal(authorityKey: authorityKey, unixSeconds: unixSeconds(), scheme: Ed25519Scheme()) {
            throw Self.refusal(problem)
        }
        guard await !isRevoked(credential.name, credential.issuedAt) else {
            throw Self.refusal("the operator token of '\(credential.name)' was revoked (chorus operators revoke)")
        }
        return .operatorNamed(credential.name)
    }

    /// The token of `Bearer <token>` (scheme in any case) or of Basic's `user:token`.
    static func presentedToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2 else { return nil }
        let credentials = parts[1].trimmingCharacters(in: .whitespaces)
        switch parts[0].lowercased() {
        case "bearer":
            return credentials
        case "basic":
            guard let decoded = Data(base64Encoded: credentials).flatMap({ String(data: $0, encoding: .utf8) }),
                  let colon = decoded.firstIndex(of: ":") else { return nil }
            return String(decoded[decoded.index(after: colon)...])
        default:
            return nil
        }
    }

    /// Timing says nothing about how much of a guess was right.
    private static func constantTimeEquals(_ presented: String, _ expected: String) -> Bool {
        let (a, b) = (Array(presented.utf8), Array(expected.utf8))
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }

    /// The challenge names Bearer only, though Basic is accepted: Jira clients send Basic
    /// without being asked, and a Basic challenge makes some clients wait for credentials instead
    /// of returning the 401 (Foundation's HTTP client on Linux, swift-corelibs-foundation#5456).
    private static func refusal(_ reason: String) -> APIError {
        APIError(.unauthorized, error: "unauthorized", reason: reason, headers: [.wwwAuthenticate: "Bearer"])
    }
}
