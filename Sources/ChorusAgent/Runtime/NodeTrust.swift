import ChorusCrypto
import ChorusWire

/// The authority key and this node's certificate, from files or (development) issued at start.
struct NodeTrust {
    /// Certificates an agent issues itself in development mode are valid this long.
    static let developmentValidity: UInt64 = 365 * 24 * 3600

    let authorityKey: [UInt8]
    let certificate: Certificate

    static func load(configuration: AgentConfiguration, nodeKey: Ed25519KeyPair, unixSeconds: UInt64) throws -> NodeTrust {
        let authorityKey: [UInt8]
        let certificate: Certificate
        if let certificatePath = configuration.certificate, let authorityPath = configuration.authority {
            authorityKey = try KeyFileFormat.loadAuthorityPublic(path: authorityPath)
            certificate = try KeyFileFormat.loadCertificate(path: certificatePath)
        } else if let secretPath = configuration.authorityKey {
            let authority = try KeyFileFormat.loadAuthoritySecret(path: secretPath)
            if let authorityPath = configuration.authority,
               try KeyFileFormat.loadAuthorityPublic(path: authorityPath) != authority.publicKey {
                throw AgentStartupError.certificateMismatch("--authority and --authority-key are not a pair")
            }
            authorityKey = authority.publicKey
            certificate = Certificate.issue(
                name: configuration.name, publicKey: nodeKey.publicKey,
                expiresAt: unixSeconds + developmentValidity, authority: authority)
        } else {
            throw AgentStartupError.noTrust
        }
        try check(certificate, nodeKey: nodeKey, authorityKey: authorityKey, name: configuration.name, unixSeconds: unixSeconds)
        return NodeTrust(authorityKey: authorityKey, certificate: certificate)
    }

    private static func check(_ certificate: Certificate, nodeKey: Ed25519KeyPair, authorityKey: [UInt8], name: String,
                              unixSeconds: UInt64) throws {
        guard certificate.publicKey == nodeKey.publicKey else {
            throw AgentStartupError.certificateMismatch("it certifies another key than this node's (node.key in the data directory)")
        }
        guard certificate.name == name else {
            throw AgentStartupError.certificateMismatch("it names \"\(certificate.name)\", this node is \"\(name)\"")
        }
        guard certificate.isValid(authorityKey: authorityKey, unixSeconds: unixSeconds, scheme: Ed25519Scheme()) else {
            throw AgentStartupError.certificateMismatch("it is expired or not signed by the configured authority")
        }
    }
}
