import ArgumentParser

/// `chorus upgrade start|cancel|approve|retry` (SPEC §4, §9).
struct UpgradeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upgrade",
        abstract: "Drive a zero-downtime upgrade: start, cancel, approve, retry.",
        discussion: "Exit codes: 0 committed, 1 agent error, 2 agent unreachable, 3 refused by the cluster state, 4 no quorum.",
        subcommands: [Start.self, Cancel.self, Approve.self, Retry.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enter upgrade mode (STABLE → READY_TO_UPGRADE).")
        @OptionGroup var options: ClientOptions
        @OptionGroup var admin: AdminOptions
        func run() async throws { try await OperatorCommandRequest.run("POST", "/v1/upgrade/start", options: options, admin: admin) }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Leave upgrade mode while every node still runs the original version.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var admin: AdminOptions
        func run() async throws { try await OperatorCommandRequest.run("POST", "/v1/upgrade/cancel", options: options, admin: admin) }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the upgrade tasks once every voter runs the new version.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var admin: AdminOptions
        func run() async throws { try await OperatorCommandRequest.run("POST", "/v1/upgrade/approve", options: options, admin: admin) }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "After failed tasks, return to READY_TO_RUN_UPGRADE_TASKS.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var admin: AdminOptions
        func run() async throws { try await OperatorCommandRequest.run("POST", "/v1/upgrade/retry", options: options, admin: admin) }
    }
}
