/// Why a file in the data directory (or another secret file, such as the gossip keyring) was refused.
public enum DataDirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A secret file that group or others can access (ssh refuses such keys too).
    case insecurePermissions(path: String, mode: UInt32)
    case malformed(path: String, reason: String)

    public var description: String {
        switch self {
        case .insecurePermissions(let path, let mode):
            "\(path) has mode 0\(String(mode, radix: 8)) but must not be accessible by group or others; run: chmod 600 \(path)"
        case .malformed(let path, let reason):
            "\(path) is corrupt: \(reason)"
        }
    }
}
