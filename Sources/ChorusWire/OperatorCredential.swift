/// An operator credential: the cluster authority's signature over (name, issue time, expiry).
///
/// A bearer token valid at every agent of the cluster, verified offline against the authority
/// public key each agent already holds (SPEC §2, Operators). It names a person or a script, so
/// every mutation made with it is logged under that name; `revokeOperator` decisions refuse
/// the credentials of a name issued up to a moment.
public struct OperatorCredential: Sendable, Hashable {
    /// Domain separation: a credential signature is never a valid certificate signature.
    static let domain: [UInt8] = Array("chorus-operator-v1".utf8)
    public static let maxNameLength = 64

    /// The one rule for an operator's name, kept by `chorus keys issue-operator` and by the
    /// revoke endpoint alike: 1 to 64 of `A-Z a-z 0-9 . _ @ + -`, a user name or an e-mail
    /// address. A name is written into every log line its holder causes and travels as a URL
    /// path segment, so nothing that needs escaping in either; and the limit in characters is
    /// the limit in bytes, which the OpenAPI description can state exactly.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maxNameLength && name.utf8.allSatisfy(isNameByte)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "@"), UInt8(ascii: "+"), UInt8(ascii: "-"): true
        default: false
        }
    }

    public var name: String
    /// Unix seconds at which the authority issued it.
    public var issuedAt: UInt64
    /// Unix seconds from which it is refused.
    public var expiresAt: UInt64
    public var signature: [UInt8]

    public init(name: String, issuedAt: UInt64, expiresAt: UInt64, signature: [UInt8]) {
        self.name = name
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.signature = signature
    }

    /// The bytes the authority signs.
    public static func signedBytes(name: String, issuedAt: UInt64, expiresAt: UInt64) -> [UInt8] {
        var writer = ByteWriter()
        writer.write(bytes: domain)
        writer.write(shortString: name)
        writer.write(uint64: issuedAt)
        writer.write(uint64: expiresAt)
        return writer.bytes
    }

    public static func issue(name: String, issuedAt: UInt64, expiresAt: UInt64, authority: any MessageSigner) -> OperatorCredential {
        let signature = authority.sign(signedBytes(name: name, issuedAt: issuedAt, expiresAt: expiresAt))
        return OperatorCredential(name: name, issuedAt: issuedAt, expiresAt: expiresAt, signature: signature)
    }

    /// Why the credential is refused at `unixSeconds`, or nil when the authority signed it and
    /// it has not expired. Revocation is the agreed state's to judge (`AgreedState.refuses`).
    public func refusal(authorityKey: [UInt8], unixSeconds: UInt64, scheme: any SignatureScheme) -> String? {
        guard signature.count == SignatureSizes.signature, Self.isValidName(name),
              scheme.verify(signature: signature, message: Self.signedBytes(name: name, issuedAt: issuedAt, expiresAt: expiresAt),
                            publicKey: authorityKey) else {
            return "the operator token is not signed by this cluster's authority"
        }
        guard unixSeconds < expiresAt else { return "the operator token of '\(name)' has expired" }
        return nil
    }

    public var encoded: [UInt8] {
        var writer = ByteWriter()
        writer.write(shortString: name)
        writer.write(uint64: issuedAt)
        writer.write(uint64: expiresAt)
        writer.write(bytes: signature)
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> OperatorCredential {
        var reader = ByteReader(bytes)
        let name = try reader.readShortString(maxLength: maxNameLength)
        let issuedAt = try reader.readUInt64()
        let expiresAt = try reader.readUInt64()
        let signature = try reader.readBytes(count: SignatureSizes.signature)
        guard reader.isAtEnd else { throw .trailingBytes }
        return OperatorCredential(name: name, issuedAt: issuedAt, expiresAt: expiresAt, signature: signature)
    }
}
