import ArgumentParser
import ChorusAgent
import ChorusCore

/// `chorus members`: the members the agent knows, as a table or as the endpoint's JSON array.
struct MembersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members",
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
            header: ["NAME", "ADDRESS", "STATUS", "VERSION", "INC", "SERVING"],
            rows: members.map { [$0.name, $0.address, $0.status.rawValue, $0.version, String($0.incarnation), $0.serving.rawValue] }))
    }
}
