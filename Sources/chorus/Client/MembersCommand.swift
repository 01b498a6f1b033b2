import ArgumentParser
import ChorusAgent
import ChorusCore
import Foundation

/// `chorus members [list]`: the members the agent knows; `chorus members remove|revoke NAME`.
struct MembersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members",
        abstract: "List the cluster members this agent knows, remove a dead one or revoke one's key.",
        subcommands: [MembersListCommand.self, MembersRemoveCommand.self, MembersRevokeCommand.self],
        defaultSubcommand: MembersListCommand.self)
}

/// `chorus members remove NAME`: a quorum decision; the member stops counting as a voter and,
/// unless `--keep-key`, its key is revoked.
struct MembersRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a dead or departed member and revoke its key (a quorum decision).",
        discussion: "Exit codes: 0 committed, 1 agent error (404: no such member), 2 unreachable, 3 refused, 4 no quorum.")

    @Argument(help: "The member's name (or its id in hex).") var name: String
    @Flag(help: "Keep the member's key trusted: it may gossip again, but never votes or decides again.")
    var keepKey = false
    @OptionGroup var options: ClientOptions
    @OptionGroup var admin: AdminOptions

    func run() async throws {
        let path = "/v1/members/\(OperatorCommandRequest.escaped(name))" + (keepKey ? "?keep-key=true" : "")
        try await OperatorCommandRequest.run("DELETE", path, options: options, admin: admin)
    }
}

/// `chorus members revoke NAME`: a quorum decision; every agent refuses the member's key from
/// then on, with a valid certificate or not (a compromised host).
struct MembersRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a member's key, alive or not: every agent refuses it from then on (a quorum decision).",
        discussion: "Exit codes: 0 committed, 1 agent error (404: no such member), 2 unreachable, 3 refused, 4 no quorum.")

    @Argument(help: "The member's name (or its id in hex).") var name: String
    @OptionGroup var options: ClientOptions
    @OptionGroup var admin: AdminOptions

    func run() async throws {
        try await OperatorCommandRequest.run("POST", "/v1/members/\(OperatorCommandRequest.escaped(name))/revoke",
                                             options: options, admin: admin)
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
            header: ["NAME", "ADDRESS", "STATUS", "VERSION", "INC", "SERVING", "HEALTH", "VOTER"],
            rows: members.map { member in
                guard member.known != false else { return [member.name, "-", "unknown", "-", "-", "-", "-", "yes"] }
                return [member.name, member.address, member.status.rawValue, member.version, String(member.incarnation),
                        member.serving.rawValue, member.health.map(\.rawValue) ?? "unknown", member.voter ? "yes" : "no"]
            }))
        if members.contains(where: { $0.known == false }) {
            print("unknown: a voter this agent holds no member entry for (it left or died long ago, or has not been "
                + "heard since this agent started); if it is not coming back: chorus members remove NAME")
        }
    }
}
