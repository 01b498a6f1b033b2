import ChorusCore
import ChorusWire
import Hummingbird
import NIOPosix

/// `POST /v1/join {"addresses": ["HOST:PORT", ...]}` (`chorus join`, SPEC §7, §9): a running agent
/// joins through more seeds, as Serf's and Consul's `join` do, without a restart. Answers once a
/// contacted agent answered (200) or after `answerWait` (504): UDP gives no other proof of contact.
enum JoinRoutes {
    static let maxAddresses = 16
    static let answerWait = Duration.seconds(5)

    static func routes(source: some AgentStatusSource, authorization: AdminAuthorization) -> [HTTPRoute] {
        [
            HTTPRoute(.post, "/v1/join") { request, _ in
                try await authorization.check(request)
                guard let body = try await RequestBody.decode(JoinRequestBody.self, from: request),
                      (1...maxAddresses).contains(body.addresses.count) else {
                    throw APIError(.badRequest, error: "invalid-request",
                                   reason: "the body must be {\"addresses\": [\"HOST:PORT\", ...]} with 1 to \(maxAddresses) addresses")
                }
                var targets: [PeerAddress] = []
                for address in body.addresses { targets.append(try await peer(address)) }
                let before = Set(await source.memberSnapshots().filter { $0.status == .alive }.map(\.id))
                try await source.join(through: targets)
                let deadline = ContinuousClock.now + answerWait
                while ContinuousClock.now < deadline {
                    let alive = await source.memberSnapshots().filter { $0.status == .alive }
                    // An answer shows as the seed alive at the address we used, or, when it
                    // advertises another address, as members we did not have.
                    if alive.contains(where: { !$0.isLocal && targets.contains($0.address) })
                        || !Set(alive.map(\.id)).subtracting(before).isEmpty {
                        return try JSONResponse.make(JoinResponse(node: await source.localMember().name, members: alive.count))
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
                throw APIError(.gatewayTimeout, error: "no-answer", reason: "no agent at \(body.addresses.joined(separator: ", ")) "
                    + "answered within \(answerWait) (wrong address or port, a firewall, or another cluster's authority)")
            },
        ]
    }

    /// Resolved on NIO's blocking-IO pool: a slow DNS answer must not hold an event loop.
    private static func peer(_ address: String) async throws -> PeerAddress {
        do {
            let parsed = try HostPort(parsing: address)
            guard parsed.port != 0 else { throw HostPort.ParseError(reason: "port 0 cannot be dialled") }
            return try await NIOThreadPool.singleton.runIfActive { try parsed.resolvePeer() }
        } catch {
            throw APIError(.badRequest, error: "invalid-request", reason: "'\(address)' is not a reachable HOST:PORT: \(error)")
        }
    }
}

struct JoinRequestBody: Decodable {
    var addresses: [String]
}

/// The answer to `POST /v1/join`: this node, and how many members it sees alive now (itself included).
public struct JoinResponse: Codable, Sendable, Equatable {
    public var node: String
    public var members: Int
}
