/// A node certificate: the cluster authority's signature over (name, public key, expiry).
///
/// Agents accept datagrams only from keys that carry a certificate verifying under the
/// configured authority public key (SPEC §2).
public struct Certificate: Sendable, Hashable {
    /// Domain separation so a certificate signature can never be replayed as another message type.
    static let domain: [UInt8] = Array("chorus-cert-v1".utf8)
    public static let maxNameLength = 64
    /// Upper bound of an encoded certificate record: name, key, expiry, signature, TLV header.
    public static let encodedSizeBound = 3 + 1 + maxNameLength + SignatureSizes.publicKey + 8 + SignatureSizes.signature

    public var name: String
    public var publicKey: [UInt8]
    /// Unix time in seconds after which the certificate is no longer accepted.
    public var expiresAt: UInt64
    public var signature: [UInt8]

    public init(name: String, publicKey: [UInt8], expiresAt: UInt64, signature: [UInt8]) {
        self.name = name
        self.publicKey = publicKey
        self.expiresAt = expiresAt
        self.signature = signature
    }

    public var nodeID: NodeID? { NodeID(bytes: publicKey) }

    /// The bytes the authority signs.
    public static func signedBytes(name: String, publicKey: [UInt8], expiresAt: UInt64) -> [UInt8] {
        var writer = ByteWriter()
        writer.write(bytes: domain)
        writer.write(shortString: name)
        writer.write(bytes: publicKey)
        writer.write(uint64: expiresAt)
        return writer.bytes
    }

    public static func issue(name: String, publicKey: [UInt8], expiresAt: UInt64, authority: any MessageSigner) -> Certificate {
        let signature = authority.sign(signedBytes(name: name, publicKey: publicKey, expiresAt: expiresAt))
        return Certificate(name: name, publicKey: publicKey, expiresAt: expiresAt, signature: signature)
    }

    /// Checks the authority signature, the name and key shape, and expiry against `unixSeconds`.
    public func isValid(authorityKey: [UInt8], unixSeconds: UInt64, scheme: any SignatureScheme) -> Bool {
        guard publicKey.count == SignatureSizes.publicKey,
              signature.count == SignatureSizes.signature,
              !name.isEmpty, name.utf8.count <= Self.maxNameLength,
              unixSeconds < expiresAt else { return false }
        let message = Self.signedBytes(name: name, publicKey: publicKey, expiresAt: expiresAt)
        return scheme.verify(signature: signature, message: message, publicKey: authorityKey)
    }

    public func encode(into writer: inout ByteWriter) {
        writer.write(shortString: name)
        writer.write(bytes: publicKey)
        writer.write(uint64: expiresAt)
        writer.write(bytes: signature)
    }

    public var encoded: [UInt8] {
        var writer = ByteWriter()
        encode(into: &writer)
        return writer.bytes
    }

    public static func decode(from reader: inout ByteReader) throws(WireError) -> Certificate {
        let name = try reader.readShortString(maxLength: maxNameLength)
        let key = try reader.readBytes(count: SignatureSizes.publicKey)
        let expiry = try reader.readUInt64()
        let signature = try reader.readBytes(count: SignatureSizes.signature)
        return Certificate(name: name, publicKey: key, expiresAt: expiry, signature: signature)
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> Certificate {
        var reader = ByteReader(bytes)
        let certificate = try decode(from: &reader)
        guard reader.isAtEnd else { throw .trailingBytes }
        return certificate
    }
}
