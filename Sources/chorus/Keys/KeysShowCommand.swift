import ArgumentParser
import ChorusAgent
import ChorusCrypto
import ChorusWire
import Foundation

/// `chorus keys show`: what identity a node has and whether its certificate will be accepted.
struct KeysShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a node's public key and a certificate's fields, and check the certificate against an authority.",
        discussion: "Exits 1 (after printing) when --authority is given and the certificate does not verify under it."
    )

    @Option(help: ArgumentHelp("Agent data directory whose node.key to show the public key of.", valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp("Certificate file to show.", valueName: "file"))
    var certificate: String?

    @Option(help: ArgumentHelp("Authority public key file to verify the certificate under.", valueName: "file"))
    var authority: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        guard dataDir != nil || certificate != nil else {
            throw ValidationError("give --data-dir, --certificate, or both")
        }
        guard authority == nil || certificate != nil else {
            throw ValidationError("--authority needs --certificate to verify")
        }
    }

    func run() throws {
        var report = KeysShowReport()
        if let dataDir {
            guard let nodeKey = try DataDirectory(path: dataDir).loadNodeKey() else {
                throw KeysCommandError("no node.key in \(dataDir) (an agent creates it on first start)")
            }
            report.nodePublicKey = Hex.encode(nodeKey.publicKey)
        }
        if let certificate {
            let loaded = try KeyFileFormat.loadCertificate(path: certificate)
            let now = UInt64(Date().timeIntervalSince1970)
            report.certificate = .init(loaded, now: now, nodePublicKey: report.nodePublicKey)
            if let authority {
                let authorityKey = try KeyFileFormat.loadAuthorityPublic(path: authority)
                report.authority = .init(loaded, authorityKey: authorityKey, now: now)
            }
        }
        print(json ? try report.json() : report.text)
        if let verdict = report.authority, let reason = verdict.reason, let authority {
            throw KeysCommandError("certificate does not verify under \(authority): \(reason)")
        }
    }
}
