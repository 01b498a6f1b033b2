import ChorusCore
import ChorusCrypto
import ChorusWire
import Hummingbird

/// The gossip keyring (SPEC §2, Confidentiality): read it, and change it by quorum decision, as
/// Serf's keyring verbs but agreed. Reads show key ids only, never a key.
///
///     GET  /v1/keyring                  {"sealed","primary","keys":[{"id","primary","source"}],"removed"}
///     POST /v1/keyring/install {"key"}  a base64 key of 32 bytes
///     POST /v1/keyring/use     {"key"} or {"id"}
///     POST /v1/keyring/remove  {"key"} or {"id"}
enum KeyringRoutes {
    static func routes(source: some AgentStatusSource, authorization: AdminAuthorization) -> [HTTPRoute] {
        [
            HTTPRoute(.get, "/v1/keyring") { _, _ in
                let ring = await source.sealingKeyring()
                let removed = await source.clusterSnapshot().agreed.keyring.removed
                return try JSONResponse.make(KeyringResponse(ring, removed: removed))
            },
            HTTPRoute(.post, "/v1/keyring/install") { request, _ in
                try await authorization.check(request)
                let body = try await KeyringRequest.read(request)
                guard let text = body.key, let secret = GossipKeyringFile.decodeKey(text) else {
                    throw APIError(.badRequest, error: "invalid-request",
                                   reason: "the body must be {\"key\": a base64 key of \(GossipKey.byteCount) bytes} (chorus keyring generate)")
                }
                return try await ClusterRoutes.answer(.installKey(SodiumGossipCipher.key(secret)), source: source)
            },
            HTTPRoute(.post, "/v1/keyring/use") { request, _ in
                try await authorization.check(request)
                return try await ClusterRoutes.answer(.useKey(try await KeyringRequest.read(request).keyID()), source: source)
            },
            HTTPRoute(.post, "/v1/keyring/remove") { request, _ in
                try await authorization.check(request)
                return try await ClusterRoutes.answer(.removeKey(try await KeyringRequest.read(request).keyID()), source: source)
            },
        ]
    }
}

struct KeyringRequest: Codable, Sendable {
    var key: String?
    var id: String?

    static func read(_ request: Request) async throws -> KeyringRequest {
        guard let body = try await RequestBody.decode(KeyringRequest.self, from: request) else {
            throw APIError(.badRequest, error: "invalid-request", reason: "the body must be {\"key\": BASE64} or {\"id\": HEX}")
        }
        return body
    }

    /// The key named by `id` (16 hex digits), or by `key` itself.
    func keyID() throws -> KeyID {
        if let id, let parsed = KeyID(hex: id) { return parsed }
        if let key, let secret = GossipKeyringFile.decodeKey(key) { return SodiumGossipCipher.keyID(of: secret) }
        throw APIError(.badRequest, error: "invalid-request",
                       reason: "give the key as {\"key\": BASE64} or its id as {\"id\": 16 hex digits} (chorus keyring list)")
    }
}

public struct KeyringResponse: Codable, Sendable, Equatable {
    public struct Key: Codable, Sendable, Equatable {
        public var id: String
        public var primary: Bool
        /// configured (the keyring file), installed (by decision) or granted (by a member, while
        /// this node catches up on a rotation it missed).
        public var source: String
    }

    /// Gossip is sealed: every datagram leaves encrypted with `primary`.
    public var sealed: Bool
    public var primary: String?
    public var keys: [Key]
    /// Removed by decision: refused, and never installed again.
    public var removed: [String]

    init(_ ring: SealingKeyring, removed: [KeyID]) {
        sealed = ring.isSealing
        primary = ring.primary?.id.hex
        keys = ring.listing.map { Key(id: $0.id.hex, primary: $0.id == ring.primary?.id, source: $0.source.rawValue) }
        self.removed = removed.map(\.hex)
    }
}
