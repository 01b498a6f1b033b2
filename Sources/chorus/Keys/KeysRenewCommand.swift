import ArgumentParser
import ChorusAgent
import ChorusCrypto
import ChorusWire
import Foundation

/// `chorus keys renew` (SPEC §2, Certificate lifecycle): a fresh certificate for the node key
/// and name of an existing one, signed by the same authority, written over the old file
/// (atomically) unless `--out` says otherwise. The old certificate may have expired: renewing
/// is also how a node that missed its renewal comes back. `chorus reload` (or SIGHUP) then puts
/// it in use on the running agent, and every member adopts it (docs/operations.md).
struct KeysRenewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "renew",
        abstract: "Issue a fresh certificate for the node key and name of an existing certificate.",
        discussion: "Then run 'chorus reload' on that node (or send the agent SIGHUP): no restart is needed.")

    @Option(help: ArgumentHelp("The authority secret key file written by 'chorus keys init'.", valueName: "file"))
    var authorityKey: String

    @Option(help: ArgumentHelp("The node's current certificate file; rewritten unless --out is given.", valueName: "file"))
    var certificate: String

    @Option(help: ArgumentHelp("Lifetime from now (90d, 12h, 30m, 40s, 2w) or an ISO 8601 instant.", valueName: "lifetime"))
    var expires = CredentialLifetime(argument: "365d")!

    @Option(help: ArgumentHelp("Write the renewed certificate (0644) to this file instead.", valueName: "file"))
    var out: String?

    func run() throws {
        let authority = try KeyFileFormat.loadAuthoritySecret(path: authorityKey)
        let current = try KeyFileFormat.loadCertificate(path: certificate)
        // Expiry aside, the old certificate must be this authority's: renewing another
        // cluster's node, or a forged file, is a mistake to stop here.
        guard current.isValid(authorityKey: authority.publicKey, unixSeconds: 0, scheme: Ed25519Scheme()) else {
            throw KeysCommandError("\(certificate) is not a certificate of this authority (\(authorityKey))")
        }
        let now = UInt64(Date().timeIntervalSince1970)
        let expiresAt = expires.expiresAt(issuedAt: now)
        guard expiresAt > now else { throw KeysCommandError("--expires is already past") }
        guard expiresAt > current.expiresAt else {
            throw KeysCommandError("--expires \(KeysFormatting.iso8601(expiresAt)) is not later than the current certificate's "
                                   + "\(KeysFormatting.iso8601(current.expiresAt)); members keep the later one")
        }
        let renewed = Certificate.issue(name: current.name, publicKey: current.publicKey, expiresAt: expiresAt, authority: authority)
        let destination = out ?? certificate
        try DurableFile.write(Array(KeyFileFormat.encodeCertificate(renewed).utf8), to: destination, mode: 0o644)
        print("renewed certificate for \(renewed.name) (key \(Hex.encode(renewed.publicKey)), expires "
              + "\(KeysFormatting.iso8601(expiresAt)), was \(KeysFormatting.iso8601(current.expiresAt))) in \(destination); "
              + "now run 'chorus reload' on that node")
    }
}
