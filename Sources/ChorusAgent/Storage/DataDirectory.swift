import ChorusCore
import ChorusCrypto
import ChorusWire
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The agent's data directory (`--data-dir`, SPEC §1): node identity, admin token and durable
/// protocol state. Nothing else writes there.
///
/// Secrets are created 0600 on first start and refused, as ssh does, when group or others can
/// read them. Blocking: every method does synchronous disk IO; call it off the event loop.
public struct DataDirectory: Sendable {
    public static let nodeKeyFileName = "node.key"
    public static let adminTokenFileName = "admin.token"
    public static let incarnationFileName = "incarnation"
    public static let servingFileName = "serving"
    public static let voterNamesFileName = "voter-names"

    public let path: String

    public init(path: String) {
        self.path = path
    }

    public var nodeKeyPath: String { file(Self.nodeKeyFileName) }
    public var adminTokenPath: String { file(Self.adminTokenFileName) }
    public var incarnationPath: String { file(Self.incarnationFileName) }
    public var servingPath: String { file(Self.servingFileName) }
    public var voterNamesPath: String { file(Self.voterNamesFileName) }

    /// Creates the directory (and missing parents) with mode 0700 if it does not exist yet, and
    /// removes the temporaries of writes a kill -9 interrupted (only the agent writes here, and
    /// it calls this at start, before it writes anything).
    public func prepare() throws {
        try DurableFile.makeDirectory(path, mode: 0o700)
        try DurableFile.removeStaleTemporaries(in: path)
    }

    /// The node's key pair from `node.key`, or nil on a first start.
    public func loadNodeKey() throws -> Ed25519KeyPair? {
        guard let bytes = try Self.readSecret(nodeKeyPath) else { return nil }
        do {
            return try KeyFileFormat.decodeNodeSecret(String(decoding: bytes, as: UTF8.self))
        } catch {
            var located = error
            located.path = nodeKeyPath
            throw located
        }
    }

    /// The node's identity: loaded from `node.key`, or generated and stored (0600) on first start.
    /// Call `prepare()` first so the directory exists.
    /// A directory that holds a node's protocol state but no key is refused: a new identity would
    /// come back as someone else beside the node whose votes and incarnation are stored here.
    public func loadOrCreateNodeKey() throws -> Ed25519KeyPair {
        if let existing = try loadNodeKey() { return existing }
        let stateFiles = [Self.incarnationFileName, DecisionStore.logFileName, DecisionStore.acceptorFileName, Self.servingFileName]
        if let stored = stateFiles.first(where: { FileManager.default.fileExists(atPath: file($0)) }) {
            throw DataDirectoryError.missingIdentity(path: nodeKeyPath, stateFile: file(stored))
        }
        let created = Ed25519KeyPair.generate()
        try DurableFile.write(Array(KeyFileFormat.encodeNodeSecret(created).utf8), to: nodeKeyPath, mode: 0o600)
        return created
    }

    /// The bearer token for mutating HTTP calls (SPEC §7): loaded from `admin.token`, or 32 random
    /// bytes in hex stored (0600) on first start. An operator may provision any non-blank token.
    public func loadOrCreateAdminToken() throws -> String {
        if let bytes = try Self.readSecret(adminTokenPath) {
            let token = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty, !token.contains(where: \.isWhitespace) else {
                throw DataDirectoryError.malformed(path: adminTokenPath, reason: "the token must be one non-blank word")
            }
            return token
        }
        let token = Hex.encode(SecureRandom.bytes(32))
        try DurableFile.write(Array((token + "\n").utf8), to: adminTokenPath, mode: 0o600)
        return token
    }

    /// The last stored incarnation, 0 when none was ever stored.
    public func loadIncarnation() throws -> UInt64 {
        guard let bytes = try ChecksummedStateFile.read(incarnationPath) else { return 0 }
        guard let value = UInt64(String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw DataDirectoryError.malformed(path: incarnationPath, reason: "expected a decimal unsigned integer")
        }
        return value
    }

    /// Stores the incarnation durably; it MUST be stored before any message carrying it is sent,
    /// so a restarted node never reuses an incarnation.
    public func storeIncarnation(_ incarnation: UInt64) throws {
        try ChecksummedStateFile.write(Array("\(incarnation)\n".utf8), to: incarnationPath)
    }

    /// True when the operator drained this node and has not undrained it; false when never drained.
    public func loadDraining() throws -> Bool {
        guard let bytes = try ChecksummedStateFile.read(servingPath) else { return false }
        switch String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) {
        case "draining": return true
        case "serving": return false
        default: throw DataDirectoryError.malformed(path: servingPath, reason: "expected 'serving' or 'draining'")
        }
    }

    /// Stores the operator's drain durably, before the heartbeat announces it, so a restart keeps it.
    public func storeDraining(_ draining: Bool) throws {
        try ChecksummedStateFile.write(Array((draining ? "draining\n" : "serving\n").utf8), to: servingPath)
    }

    /// The voters' names as last stored (`VoterNames`), empty when never stored.
    public func loadVoterNames() throws -> VoterNames {
        guard let bytes = try ChecksummedStateFile.read(voterNamesPath) else { return VoterNames() }
        do {
            return try VoterNames.decode(bytes)
        } catch {
            throw DataDirectoryError.malformed(path: voterNamesPath, reason: "\(error)")
        }
    }

    /// Names only: losing them costs messages their names, never a vote or a decision.
    public func storeVoterNames(_ names: VoterNames) throws {
        try ChecksummedStateFile.write(names.encoded, to: voterNamesPath)
    }

    private func file(_ name: String) -> String {
        path.hasSuffix("/") ? path + name : path + "/" + name
    }

    /// Reads a secret file, refusing it when group or others have any access.
    /// The bytes of a secret file, nil when it does not exist; refused when group or others may read it.
    static func readSecret(_ secretPath: String) throws -> [UInt8]? {
        guard FileManager.default.fileExists(atPath: secretPath) else { return nil }
        let attributes = try FileManager.default.attributesOfItem(atPath: secretPath)
        let permissions = UInt32((attributes[.posixPermissions] as? NSNumber)?.uint32Value ?? 0o777) & 0o777
        guard permissions & 0o077 == 0 else {
            throw DataDirectoryError.insecurePermissions(path: secretPath, mode: permissions)
        }
        return try DurableFile.read(secretPath)
    }
}
