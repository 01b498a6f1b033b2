import ChorusWire
import HashTreeCollections

/// Certificates that verified under the cluster authority, by node id. A datagram or statement
/// whose signer has no entry here changes nothing (SPEC §2, invariant 8).
struct TrustStore: Sendable {
    let authorityKey: [UInt8]
    let scheme: any SignatureScheme
    /// Shared between copies, like the member table (`ConvergedRoster`).
    private(set) var certificates = TreeDictionary<NodeID, Certificate>()
    /// Keys the cluster revoked (`AgreedState.revoked`): no certificate makes them trusted again.
    private(set) var revoked: Set<NodeID> = []

    init(authorityKey: [UInt8], scheme: any SignatureScheme) {
        self.authorityKey = authorityKey
        self.scheme = scheme
    }

    /// Verifies and stores `certificate`; false when it does not verify or has expired.
    /// An identical certificate already held is accepted without verifying it again.
    mutating func admit(_ certificate: Certificate, unixSeconds: UInt64) -> Bool {
        guard let id = certificate.nodeID, !revoked.contains(id) else { return false }
        if let known = certificates[id], known == certificate { return unixSeconds < known.expiresAt }
        guard certificate.isValid(authorityKey: authorityKey, unixSeconds: unixSeconds, scheme: scheme) else {
            return false
        }
        if let known = certificates[id], known.expiresAt > certificate.expiresAt { return true }
        certificates[id] = certificate
        return true
    }

    func certificate(of id: NodeID, unixSeconds: UInt64) -> Certificate? {
        guard let certificate = certificates[id], unixSeconds < certificate.expiresAt else { return nil }
        return certificate
    }

    mutating func forget(_ id: NodeID) { certificates[id] = nil }

    mutating func revoke(_ id: NodeID) {
        revoked.insert(id)
        certificates[id] = nil
    }
}
