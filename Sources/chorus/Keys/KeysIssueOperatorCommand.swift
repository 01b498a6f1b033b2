import ArgumentParser
import ChorusCrypto
import ChorusWire
import Foundation

/// `chorus keys issue-operator`: prints an operator token signed by the authority (SPEC §2,
/// Operators). Every agent of the cluster verifies it offline against the authority public key
/// it already holds; `chorus operators revoke NAME` withdraws it.
struct KeysIssueOperatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue-operator",
        abstract: "Issue an operator token, valid at every agent of the cluster until it expires or is revoked.",
        discussion: "Give it to the CLI with --token or CHORUS_TOKEN, or to any HTTP client as 'Authorization: Bearer <token>'.")

    @Option(help: ArgumentHelp("The authority secret key file written by 'chorus keys init'.", valueName: "file"))
    var authorityKey: String

    @Option(help: ArgumentHelp("Who the token is for; every mutation made with it is logged under this name (1 to \(OperatorCredential.maxNameLength) of A-Z a-z 0-9 . _ @ + -).",
                               valueName: "name"))
    var name: String

    @Option(help: ArgumentHelp("How long it is valid (90d, 12h, 30m, 40s, 2w) or until when (2027-01-31T00:00:00Z).",
                               valueName: "lifetime"))
    var expires = CredentialLifetime(argument: "90d")!

    func validate() throws {
        guard OperatorCredential.isValidName(name) else {
            throw ValidationError("--name must be 1 to \(OperatorCredential.maxNameLength) of A-Z a-z 0-9 . _ @ + -")
        }
    }

    func run() throws {
        let authority = try KeyFileFormat.loadAuthoritySecret(path: authorityKey)
        let now = UInt64(Date().timeIntervalSince1970)
        let expiresAt = expires.expiresAt(issuedAt: now)
        guard expiresAt > now else { throw KeysCommandError("--expires is already past") }
        let credential = OperatorCredential.issue(name: name, issuedAt: now, expiresAt: expiresAt, authority: authority)
        print(KeyFileFormat.encodeOperatorToken(credential))
        printError("operator token for \(name), expires \(KeysFormatting.iso8601(credential.expiresAt))")
    }
}
