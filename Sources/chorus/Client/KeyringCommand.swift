import ArgumentParser
import ChorusAgent
import ChorusCrypto
import Foundation

/// `chorus keyring list|install|use|remove|generate` (SPEC §2, §9): the gossip keyring, changed
/// cluster-wide by quorum decisions. A rotation: `install NEW`, `use NEW`, `remove OLD`.
struct KeyringCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keyring",
        abstract: "Show or rotate the cluster keys that seal gossip (each change a quorum decision).",
        discussion: """
            A rotation without downtime: install the new key, use it, remove the old one. A member that was \
            offline meanwhile is handed the new keys when it comes back. Exit codes: 0 ok or committed, \
            1 agent error, 2 agent unreachable, 3 refused by the cluster state, 4 no quorum.
            """,
        subcommands: [List.self, Install.self, Use.self, Remove.self, Generate.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The keys this agent accepts (ids only), the one it seals with, the removed ones.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = options.client()
            let path = "/v1/keyring"
            let (status, body) = try await client.get(path)
            guard status == 200 else { throw client.failure(path, status: status, body: body) }
            if options.json {
                print(String(decoding: body, as: UTF8.self))
                return
            }
            let ring = try client.decode(KeyringResponse.self, from: body, path: path)
            guard ring.sealed else {
                print("gossip is not sealed: no [gossip] keyring_file")
                return
            }
            print(TextTable.render(
                header: ["KEY ID", "PRIMARY", "SOURCE"],
                rows: ring.keys.map { [$0.id, $0.primary ? "yes" : "", $0.source] } + ring.removed.map { [$0, "", "removed"] }))
        }
    }

    struct Install: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every agent accepts this key (it still seals with the primary).")
        @Argument(help: "A base64 key of 32 bytes (chorus keyring generate).") var key: String
        @OptionGroup var options: ClientOptions
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            try await OperatorCommandRequest.run("POST", "/v1/keyring/install", json: try JSONEncoder().encode(["key": key]),
                                                 options: options, admin: admin)
        }
    }

    struct Use: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every agent seals with this installed key.")
        @Argument(help: "The key (base64) or its id (16 hex digits, from chorus keyring list).") var key: String
        @OptionGroup var options: ClientOptions
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            try await OperatorCommandRequest.run("POST", "/v1/keyring/use", json: try Keyring.body(naming: key), options: options, admin: admin)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "No agent accepts this key any more; it can never be installed again.")
        @Argument(help: "The key (base64) or its id (16 hex digits, from chorus keyring list).") var key: String
        @OptionGroup var options: ClientOptions
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            try await OperatorCommandRequest.run("POST", "/v1/keyring/remove", json: try Keyring.body(naming: key), options: options, admin: admin)
        }
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new random key (base64), for the keyring file or `chorus keyring install`.")
        func run() {
            print(Data(SodiumGossipCipher.generateKey()).base64EncodedString())
        }
    }

    enum Keyring {
        /// 16 hex digits name a key by id; anything else is the key itself.
        static func body(naming key: String) throws -> Data {
            let isID = key.utf8.count == 16 && key.allSatisfy(\.isHexDigit)
            return try JSONEncoder().encode(isID ? ["id": key] : ["key": key])
        }
    }
}
