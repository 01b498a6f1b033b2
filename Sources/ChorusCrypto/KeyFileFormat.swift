import ChorusWire
import Foundation

/// Encodes and strictly parses the key and certificate files: `<prefix><base64>\n`.
///
/// Parsing tolerates whitespace and newlines around the line (editors and `echo` add them) but
/// nothing else, and every failure is a `KeyFileError` naming the file kind and the problem.
public enum KeyFileFormat {
    // MARK: Encoding

    public static func encodeAuthoritySecret(_ keyPair: Ed25519KeyPair) -> String {
        line(.authoritySecret, keyPair.secretKey)
    }

    public static func encodeAuthorityPublic(_ publicKey: [UInt8]) -> String {
        line(.authorityPublic, publicKey)
    }

    public static func encodeNodeSecret(_ keyPair: Ed25519KeyPair) -> String {
        line(.nodeSecret, keyPair.secretKey)
    }

    public static func encodeCertificate(_ certificate: Certificate) -> String {
        line(.certificate, certificate.encoded)
    }

    /// One line without a newline: it is pasted into headers and environment variables.
    public static func encodeOperatorToken(_ credential: OperatorCredential) -> String {
        KeyFileKind.operatorToken.prefix + Data(credential.encoded).base64EncodedString()
    }

    // MARK: Decoding

    public static func decodeAuthoritySecret(_ text: String) throws(KeyFileError) -> Ed25519KeyPair {
        try keyPair(.authoritySecret, text)
    }

    public static func decodeAuthorityPublic(_ text: String) throws(KeyFileError) -> [UInt8] {
        try payload(.authorityPublic, text, length: SignatureSizes.publicKey)
    }

    public static func decodeNodeSecret(_ text: String) throws(KeyFileError) -> Ed25519KeyPair {
        try keyPair(.nodeSecret, text)
    }

    public static func decodeCertificate(_ text: String) throws(KeyFileError) -> Certificate {
        let bytes = try payload(.certificate, text, length: nil)
        do {
            return try Certificate.decode(bytes)
        } catch {
            throw KeyFileError(kind: .certificate, problem: .invalidContent(reason(error)))
        }
    }

    public static func decodeOperatorToken(_ text: String) throws(KeyFileError) -> OperatorCredential {
        let bytes = try payload(.operatorToken, text, length: nil)
        do {
            return try OperatorCredential.decode(bytes)
        } catch {
            throw KeyFileError(kind: .operatorToken, problem: .invalidContent(reason(error)))
        }
    }

    // MARK: Helpers

    private static func line(_ kind: KeyFileKind, _ bytes: [UInt8]) -> String {
        kind.prefix + Data(bytes).base64EncodedString() + "\n"
    }

    private static func keyPair(_ kind: KeyFileKind, _ text: String) throws(KeyFileError) -> Ed25519KeyPair {
        let secret = try payload(kind, text, length: Ed25519KeyPair.secretKeyByteCount)
        do {
            return try Ed25519KeyPair(secretKey: secret)
        } catch {
            throw KeyFileError(kind: kind, problem: .invalidContent(error.description))
        }
    }

    /// The decoded bytes after `kind.prefix`, checked against `length` when the kind has a fixed size.
    private static func payload(_ kind: KeyFileKind, _ text: String, length: Int?) throws(KeyFileError) -> [UInt8] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix(kind.prefix) else {
            let other = KeyFileKind.allCases.first { trimmed.hasPrefix($0.prefix) }
            throw KeyFileError(kind: kind, problem: .wrongPrefix(looksLike: other))
        }
        let encoded = String(trimmed.dropFirst(kind.prefix.count))
        guard let data = Data(base64Encoded: encoded) else {
            throw KeyFileError(kind: kind, problem: .badBase64)
        }
        let bytes = [UInt8](data)
        if let length, bytes.count != length {
            throw KeyFileError(kind: kind, problem: .wrongLength(expected: length, actual: bytes.count))
        }
        return bytes
    }

    private static func reason(_ error: WireError) -> String {
        switch error {
        case .truncated: "it is truncated"
        case .trailingBytes: "unexpected bytes at its end"
        case .invalidField(let field): field
        default: "undecodable (\(error))"
        }
    }
}
