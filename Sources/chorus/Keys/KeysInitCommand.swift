import ArgumentParser
import ChorusAgent
import ChorusCrypto
import ChorusWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `chorus keys init --dir D`: creates the cluster authority key pair.
struct KeysInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a cluster authority: DIR/authority.key (secret, 0600) and DIR/authority.pub (0644).",
        discussion: """
            Keep authority.key offline; it is only needed to issue certificates. Give authority.pub \
            to every agent (--authority).
            """
    )

    @Option(help: ArgumentHelp("Directory to write the authority files into; created 0700 if missing.", valueName: "dir"))
    var dir: String

    @Flag(help: "Replace an existing authority.key. Certificates issued by the old authority stop being accepted.")
    var force = false

    func run() throws {
        let secretPath = dir + "/authority.key"
        let publicPath = dir + "/authority.pub"
        try DurableFile.makeDirectory(dir, mode: 0o700)
        if !force, access(secretPath, F_OK) == 0 {
            throw KeysCommandError("\(secretPath) already exists; pass --force to replace it (certificates it issued would stop being accepted)")
        }
        let authority = Ed25519KeyPair.generate()
        try DurableFile.write(Array(KeyFileFormat.encodeAuthoritySecret(authority).utf8), to: secretPath, mode: 0o600)
        try DurableFile.write(Array(KeyFileFormat.encodeAuthorityPublic(authority.publicKey).utf8), to: publicPath, mode: 0o644)
        print("authority secret key: \(secretPath)")
        print("authority public key: \(publicPath)")
        print("public key: \(Hex.encode(authority.publicKey))")
    }
}
