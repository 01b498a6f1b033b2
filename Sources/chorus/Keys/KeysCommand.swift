import ArgumentParser

/// `chorus keys`: the offline tools for the cluster's trust setup (SPEC §2). None of them talks
/// to an agent; they only read and write key and certificate files.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create the cluster authority, issue and renew node certificates, issue operator tokens and inspect keys.",
        subcommands: [KeysInitCommand.self, KeysIssueCommand.self, KeysRenewCommand.self, KeysIssueOperatorCommand.self,
                      KeysShowCommand.self]
    )
}

/// A failure of a `keys` subcommand; its description is the one line printed on stderr.
struct KeysCommandError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
