import ArgumentParser
import ChorusAgent
import ChorusCrypto
import ChorusWire
import Foundation

/// `chorus keys issue`: signs a node certificate with the authority secret key.
struct KeysIssueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Issue a certificate binding a node name to a node public key."
    )

    @Option(help: ArgumentHelp("The authority secret key file written by 'chorus keys init'.", valueName: "file"))
    var authorityKey: String

    @Option(help: ArgumentHelp("The node name (1 to \(Certificate.maxNameLength) UTF-8 bytes).", valueName: "node"))
    var name: String

    @Option(help: ArgumentHelp(
        "The node public key: 64 hex characters (as 'chorus keys show' prints), or the path of the node's node.key file, whose public key is used.",
        valueName: "hex-or-file"
    ))
    var publicKey: String

    @Option(help: "Days until the certificate expires (default: 365).")
    var validDays: Int?

    @Option(help: ArgumentHelp("Instead of --valid-days: lifetime from now (90d, 12h, 30m, 40s, 2w) or an ISO 8601 instant.",
                               valueName: "lifetime"))
    var expires: CredentialLifetime?

    @Option(help: ArgumentHelp("Write the certificate (0644) to this file instead of standard output.", valueName: "file"))
    var out: String?

    func validate() throws {
        guard !name.isEmpty, name.utf8.count <= Certificate.maxNameLength else {
            throw ValidationError("--name must be 1 to \(Certificate.maxNameLength) UTF-8 bytes")
        }
        guard validDays.map({ (1...36_500).contains($0) }) ?? true else {
            throw ValidationError("--valid-days must be between 1 and 36500")
        }
        guard validDays == nil || expires == nil else {
            throw ValidationError("give --valid-days or --expires, not both")
        }
    }

    func run() throws {
        let authority = try KeyFileFormat.loadAuthoritySecret(path: authorityKey)
        let nodeKey = try resolvePublicKey()
        let now = UInt64(Date().timeIntervalSince1970)
        let expiresAt = expires?.expiresAt(issuedAt: now) ?? now + UInt64(validDays ?? 365) * 86_400
        guard expiresAt > now else { throw KeysCommandError("--expires is already past") }
        let certificate = Certificate.issue(name: name, publicKey: nodeKey, expiresAt: expiresAt, authority: authority)
        let text = KeyFileFormat.encodeCertificate(certificate)
        guard let out else {
            print(text, terminator: "")
            return
        }
        try DurableFile.write(Array(text.utf8), to: out, mode: 0o644)
        print("wrote certificate for \(name) (key \(Hex.encode(nodeKey)), expires \(KeysFormatting.iso8601(expiresAt))) to \(out)")
    }

    /// Hex when the argument is exactly a 32-byte key in hex, otherwise a node.key path.
    private func resolvePublicKey() throws -> [UInt8] {
        if publicKey.utf8.count == 2 * SignatureSizes.publicKey, let bytes = Hex.decode(publicKey) {
            return bytes
        }
        do {
            return try KeyFileFormat.loadNodeSecret(path: publicKey).publicKey
        } catch {
            throw KeysCommandError("--public-key is neither 64 hex characters nor a usable node.key file: \(error)")
        }
    }
}
