import ArgumentParser
import ChorusAgent
import ChorusCore
import Foundation

/// `chorus members [list]`: the members the agent knows; `chorus members remove NAME`.
struct MembersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members",
        abstract: "List the cluster members this agent knows, or remove a dead one.",
        subcommands: [MembersListCommand.self, MembersRemoveCommand.self],
        defaultSubcommand: MembersListCommand.self)
}

/// `chorus members remove NAME`: a quorum decision; the member stops counting as a voter.
struct MembersRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a dead or departed voting member (a quorum decision).",
        discussion: "Exit codes: 0 committed, 1 agent error (404: no such member), 2 unreachable, 3 refused, 4 no quorum.")

    @Argument(help: "The member's name.") var name: String
    @OptionGroup var options: ClientOptions
    @OptionGroup var admin: AdminOptions

    func run() async throws {
        let escaped = name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name
        try await OperatorCommandRequest.run("DELETE", "/v1/members/\(escaped)", options: options, admin: admin)
    }
}

struct MembersListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the cluster members this agent knows.",
        discussion: "Exit codes: 0 ok, 1 the agent answered with an error, 2 the agent is unreachable.")

    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = options.client()
        let path = "/v1/members"
        let (status, body) = try await client.get(path)
        guard status == 200 else { throw client.failure(path, status: status, body: body) }
        let members = try client.decode([MemberResponse].self, from: body, path: path)
        if options.json {
            print(String(decoding: body, as: UTF8.self))
            return
        }
        print(TextTable.render(
            header: ["NAME", "ADDRESS", "STATUS", "VERSION", "INC", "SERVING", "VOTER"],
            rows: members.map {
                [$0.name, $0.address, $0.status.rawValue, $0.version, String($0.incarnation), $0.serving.rawValue,
                 $0.voter ? "yes" : "no"]
            }))
    }
}
