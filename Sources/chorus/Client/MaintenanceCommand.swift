import ArgumentParser
import Foundation

/// `chorus maintenance on|off` (SPEC §6, §9): cluster-wide, a quorum decision.
struct MaintenanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maintenance",
        abstract: "Turn cluster-wide maintenance mode on or off: every load-balancer check answers 503 'maintenance'.",
        discussion: "Exit codes: 0 committed, 1 agent error, 2 agent unreachable, 3 refused by the cluster state, 4 no quorum.",
        subcommands: [On.self, Off.self])

    struct On: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Maintenance on (again with --message to change the message); the agents' endpoints stay reachable.")
        @Option(help: "Shown on the maintenance page (at most 200 UTF-8 bytes).") var message: String?
        @OptionGroup var options: ClientOptions
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            let body = try JSONSerialization.data(withJSONObject: ["message": message ?? ""])
            try await OperatorCommandRequest.run("PUT", "/v1/maintenance", json: body, options: options, admin: admin)
        }
    }

    struct Off: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Maintenance off: nodes take traffic again.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            try await OperatorCommandRequest.run("DELETE", "/v1/maintenance", options: options, admin: admin)
        }
    }
}
