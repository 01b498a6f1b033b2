import ChorusWire
import Foundation

/// Reading key and certificate files from disk, with the path in every error.
extension KeyFileFormat {
    public static func loadAuthoritySecret(path: String) throws(KeyFileError) -> Ed25519KeyPair {
        try load(.authoritySecret, path, decodeAuthoritySecret)
    }

    public static func loadAuthorityPublic(path: String) throws(KeyFileError) -> [UInt8] {
        try load(.authorityPublic, path, decodeAuthorityPublic)
    }

    public static func loadNodeSecret(path: String) throws(KeyFileError) -> Ed25519KeyPair {
        try load(.nodeSecret, path, decodeNodeSecret)
    }

    public static func loadCertificate(path: String) throws(KeyFileError) -> Certificate {
        try load(.certificate, path, decodeCertificate)
    }

    private static func load<Value>(
        _ kind: KeyFileKind, _ path: String, _ decode: (String) throws(KeyFileError) -> Value
    ) throws(KeyFileError) -> Value {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw KeyFileError(kind: kind, problem: .unreadable(systemReason(error)), path: path)
        }
        do {
            return try decode(String(decoding: data, as: UTF8.self))
        } catch {
            var located = error
            located.path = path
            throw located
        }
    }

    /// The POSIX reason ("No such file or directory") rather than Foundation's long sentence.
    private static func systemReason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? any Error {
            let posix = underlying as NSError
            if posix.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(posix.code))) }
        }
        return nsError.localizedDescription
    }
}
