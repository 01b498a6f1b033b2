import ChorusCrypto
import ChorusWire
import Foundation

/// `[gossip] keyring_file` (SPEC §2, Confidentiality): the cluster keys an agent starts with, one
/// base64 key of 32 bytes per line (as `chorus keyring generate` prints), the first one sealing;
/// blank lines and `#` comments are skipped. A secret: refused, as ssh does, when group or
/// others can read it. Keys installed later by decision need no change here.
enum GossipKeyringFile {
    static func load(_ path: String) throws -> [GossipKey] {
        guard let bytes = try DataDirectory.readSecret(path) else {
            throw DataDirectoryError.malformed(path: path, reason: "no such file")
        }
        var keys: [GossipKey] = []
        for (number, line) in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty, !text.hasPrefix("#") else { continue }
            guard let secret = decodeKey(text) else {
                throw DataDirectoryError.malformed(
                    path: path, reason: "line \(number + 1) is not a base64 key of \(GossipKey.byteCount) bytes (make one with: chorus keyring generate)")
            }
            let key = SodiumGossipCipher.key(secret)
            if !keys.contains(key) { keys.append(key) }
        }
        guard !keys.isEmpty else { throw DataDirectoryError.malformed(path: path, reason: "it holds no key") }
        return keys
    }

    /// Standard base64 of exactly 32 bytes; nil otherwise.
    static func decodeKey(_ text: String) -> [UInt8]? {
        guard let data = Data(base64Encoded: text), data.count == GossipKey.byteCount else { return nil }
        return Array(data)
    }
}
