import ArgumentParser
import ChorusAgent

/// Not for people: the agent runs itself this way to start its upgrade-tasks command, so the
/// command dies with the agent (`UpgradeTasksGuard`).
struct UpgradeTasksGuardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: UpgradeTasksGuard.subcommand,
        abstract: "Runs an upgrade-tasks command that dies with the agent whose pipe is its stdin.",
        shouldDisplay: false)

    @Argument(help: "The command, run as /bin/sh -c COMMAND.") var command: String

    func run() throws {
        UpgradeTasksGuard.run(command: command)
    }
}
