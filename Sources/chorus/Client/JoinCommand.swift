import ArgumentParser
import ChorusAgent
import Foundation

/// `chorus join HOST:PORT...` (SPEC §9): the agent joins through more seeds while it runs, as
/// `serf join` and `consul join` do; no restart, no change to its configured `--join`.
struct JoinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Make the running agent join the cluster through these agents' gossip addresses.",
        discussion: "Exit codes: 0 an agent answered, 1 none answered within 5 s or the agent refused, 2 the agent is unreachable.")

    @Argument(help: ArgumentHelp("Gossip addresses of cluster members (1 to 16).", valueName: "host:port"))
    var addresses: [String]
    @OptionGroup var options: ClientOptions
    @OptionGroup var admin: AdminOptions

    func validate() throws {
        guard (1...16).contains(addresses.count) else { throw ValidationError("give 1 to 16 HOST:PORT addresses") }
    }

    func run() async throws {
        let client = options.client()
        let path = "/v1/join"
        let body = try JSONSerialization.data(withJSONObject: ["addresses": addresses])
        let (status, answer) = try await admin.send("POST", path, body: body, timeout: 10, with: client)
        guard status == 200 else { throw client.failure(path, status: status, body: answer) }
        let joined = try client.decode(JoinResponse.self, from: answer, path: path)
        print(options.json ? String(decoding: answer, as: UTF8.self) : "\(joined.node) joined: \(joined.members) members alive")
    }
}
