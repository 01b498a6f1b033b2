import ChorusCrypto
import ChorusWire
import Foundation

/// What `chorus keys show` prints, as text or as JSON (absent parts are omitted).
struct KeysShowReport: Encodable {
    struct CertificateFields: Encodable {
        var name: String
        var publicKey: String
        /// ISO-8601 UTC.
        var expiresAt: String
        var expiresAtUnix: UInt64
        var expired: Bool
        /// Present when --data-dir was given too: whether the certificate is for that node's key.
        var matchesNodeKey: Bool?

        init(_ certificate: Certificate, now: UInt64, nodePublicKey: String?) {
            name = certificate.name
            publicKey = Hex.encode(certificate.publicKey)
            expiresAt = KeysFormatting.iso8601(certificate.expiresAt)
            expiresAtUnix = certificate.expiresAt
            expired = now >= certificate.expiresAt
            matchesNodeKey = nodePublicKey.map { $0 == publicKey }
        }
    }

    struct AuthorityVerdict: Encodable {
        var publicKey: String
        var verified: Bool
        /// Why it does not verify; nil when it does.
        var reason: String?

        init(_ certificate: Certificate, authorityKey: [UInt8], now: UInt64) {
            let scheme = Ed25519Scheme()
            publicKey = Hex.encode(authorityKey)
            verified = certificate.isValid(authorityKey: authorityKey, unixSeconds: now, scheme: scheme)
            let signed = Certificate.signedBytes(name: certificate.name, publicKey: certificate.publicKey, expiresAt: certificate.expiresAt)
            if verified {
                reason = nil
            } else if !scheme.verify(signature: certificate.signature, message: signed, publicKey: authorityKey) {
                reason = "the signature is not this authority's (issued by another authority, or altered)"
            } else if now >= certificate.expiresAt {
                reason = "expired at \(KeysFormatting.iso8601(certificate.expiresAt))"
            } else {
                reason = "the name or key has an invalid shape"
            }
        }
    }

    var nodePublicKey: String?
    var certificate: CertificateFields?
    var authority: AuthorityVerdict?

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    var text: String {
        var lines = [String]()
        if let nodePublicKey { lines.append("node public key:        \(nodePublicKey)") }
        if let certificate {
            lines.append("certificate name:       \(certificate.name)")
            lines.append("certificate public key: \(certificate.publicKey)")
            lines.append("certificate expires:    \(certificate.expiresAt)\(certificate.expired ? " (expired)" : "")")
            if let matches = certificate.matchesNodeKey {
                lines.append("matches node key:       \(matches ? "yes" : "no")")
            }
        }
        if let authority {
            lines.append("authority public key:   \(authority.publicKey)")
            lines.append("verified:               \(authority.reason.map { "no: \($0)" } ?? "yes")")
        }
        return lines.joined(separator: "\n")
    }
}
