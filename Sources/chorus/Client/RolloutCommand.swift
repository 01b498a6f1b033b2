import ArgumentParser
import ChorusAgent
import Foundation

/// `chorus rollout start|status|pause|resume|abort|release` (SPEC §9, §13): the cluster upgrades
/// itself node by node within its disruption budget.
struct RolloutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Upgrade the cluster node by node, within the disruption budget: start, status, pause, resume, abort, release.",
        discussion: "Exit codes: 0 committed (or shown), 1 agent error, 2 agent unreachable, 3 refused by the cluster state, 4 no quorum.",
        subcommands: [Start.self, Status.self, Pause.self, Resume.self, Abort.self, Release.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a rollout to a version (from STABLE, this starts the upgrade too).")
        @Option(help: ArgumentHelp("The version every node's application moves to.", valueName: "X.Y.Z")) var to: String
        @Option(help: "How many voting members may be out of service at once.") var maxUnavailable = 1
        @Option(help: ArgumentHelp("Members that go first, in this order (comma-separated); the others follow.",
                                   valueName: "NAMES"))
        var order: String?
        @Flag(help: "Run the upgrade tasks when the last node is done.") var approve = false
        @OptionGroup var options: ClientOptions
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            var body: [String: Any] = ["to": to, "maxUnavailable": maxUnavailable, "approve": approve]
            if let order { body["order"] = order.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            try await OperatorCommandRequest.run("POST", "/v1/rollout/start", json: try JSONSerialization.data(withJSONObject: body),
                                                 options: options, admin: admin)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the rollout and the disruption budget's slots.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = options.client()
            let path = "/v1/rollout"
            let (status, body) = try await client.get(path)
            guard status == 200 else { throw client.failure(path, status: status, body: body) }
            if options.json {
                print(String(decoding: body, as: UTF8.self))
                return
            }
            let rollout = try client.decode(RolloutResponse.self, from: body, path: path)
            var rows = [("State", rollout.state)]
            if let target = rollout.targetVersion {
                rows.append(("Versions", "\(rollout.fromVersion ?? "?") → \(target)"))
                rows.append(("Budget", "\(rollout.maxUnavailable) at a time\(rollout.approve ? ", tasks approved at the end" : "")"))
                rows.append(("Done", rollout.done.isEmpty ? "none" : rollout.done.joined(separator: ", ")))
                rows.append(("In turn", rollout.inTurn.isEmpty ? "none" : rollout.inTurn.joined(separator: ", ")))
                rows.append(("Remaining", rollout.remaining.isEmpty ? "none" : rollout.remaining.joined(separator: ", ")))
            }
            if let halted = rollout.halted { rows.append(("Halted at", "\(halted.member): \(halted.reason)")) }
            let slots = rollout.slots.map { "\($0.holder) (\($0.purpose)\($0.client.map { " by \($0)" } ?? ""), term \($0.term))" }
            rows.append(("Slots", slots.isEmpty ? "none" : slots.joined(separator: ", ")))
            print(TextTable.keyValues(rows))
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take no new node out; a node in its turn finishes it.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var admin: AdminOptions
        func run() async throws { try await OperatorCommandRequest.run("POST", "/v1/rollout/pause", options: options, admin: admin) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Go on after a pause, or retry the node whose turn failed.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var admin: AdminOptions
        func run() async throws { try await OperatorCommandRequest.run("POST", "/v1/rollout/resume", options: options, admin: admin) }
    }

    struct Abort: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the rollout: no new node is taken out; none is left drained.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var admin: AdminOptions
        func run() async throws { try await OperatorCommandRequest.run("POST", "/v1/rollout/abort", options: options, admin: admin) }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Free a member's disruption slot (a dead holder's, or one a FleetLock client never gave back).")
        @Argument(help: "The member's name.") var name: String
        @OptionGroup var options: ClientOptions
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await OperatorCommandRequest.run("POST", "/v1/rollout/release",
                                                 json: try JSONSerialization.data(withJSONObject: ["name": name]),
                                                 options: options, admin: admin)
        }
    }
}
