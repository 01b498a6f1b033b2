/// The one-line texts that carry keys, certificates and operator tokens (SPEC §2).
///
/// Each line starts with a versioned prefix, so a file handed to the wrong flag is rejected with
/// a message naming both kinds instead of being misread as raw bytes.
public enum KeyFileKind: Sendable, CaseIterable {
    case authoritySecret
    case authorityPublic
    case nodeSecret
    case certificate
    case operatorToken

    /// The text before the base64 payload, including the colon.
    public var prefix: String {
        switch self {
        case .authoritySecret: "chorus-authority-secret-v1:"
        case .authorityPublic: "chorus-authority-public-v1:"
        case .nodeSecret: "chorus-node-secret-v1:"
        case .certificate: "chorus-certificate-v1:"
        case .operatorToken: "chorus-operator-v1:"
        }
    }

    /// What an operator calls this file, for error messages.
    public var displayName: String {
        switch self {
        case .authoritySecret: "authority secret key"
        case .authorityPublic: "authority public key"
        case .nodeSecret: "node secret key"
        case .certificate: "certificate"
        case .operatorToken: "operator token"
        }
    }
}
