import ArgumentParser

/// `chorus operators revoke NAME`: every agent refuses the operator tokens issued to NAME up to
/// now (a quorum decision); a token issued to the name later works.
struct OperatorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operators",
        abstract: "Manage operator credentials.",
        subcommands: [OperatorsRevokeCommand.self])
}

struct OperatorsRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Refuse every operator token issued to NAME until now, at every agent (a quorum decision).",
        discussion: "Exit codes: 0 committed, 1 agent error, 2 unreachable, 3 refused, 4 no quorum.")

    @Argument(help: "The operator's name, as given to 'chorus keys issue-operator --name'.") var name: String
    @OptionGroup var options: ClientOptions
    @OptionGroup var admin: AdminOptions

    func run() async throws {
        try await OperatorCommandRequest.run("POST", "/v1/operators/\(OperatorCommandRequest.escaped(name))/revoke",
                                             options: options, admin: admin)
    }
}
