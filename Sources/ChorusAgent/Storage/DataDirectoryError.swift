/// Why a file in the data directory (or another secret file, such as the gossip keyring) was refused.
public enum DataDirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A secret file that group or others can access (ssh refuses such keys too).
    case insecurePermissions(path: String, mode: UInt32)
    case malformed(path: String, reason: String)
    /// `node.key` is gone but the node's protocol state is still there.
    case missingIdentity(path: String, stateFile: String)

    public var description: String {
        switch self {
        case .insecurePermissions(let path, let mode):
            "\(path) has mode 0\(String(mode, radix: 8)) but must not be accessible by group or others; run: chmod 600 \(path)"
        case .malformed(let path, let reason):
            "\(path) is corrupt: \(reason)"
        case .missingIdentity(let path, let stateFile):
            "\(path) is missing, but \(stateFile) holds the protocol state of the node it identified; the agent "
                + "will not start as someone new in its place: restore node.key from a backup, or move the data "
                + "directory aside to join as a new member (remove the old one with `chorus members remove NAME`)"
        }
    }
}
