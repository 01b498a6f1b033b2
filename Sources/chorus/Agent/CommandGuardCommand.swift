import ArgumentParser
import ChorusAgent

/// Not for people: the agent runs itself this way to start the commands it runs (upgrade tasks,
/// application checks), so each command dies with the agent (`CommandGuard`).
struct CommandGuardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: CommandGuard.subcommand,
        abstract: "Runs a command that dies with the agent whose pipe is its stdin.",
        shouldDisplay: false)

    @Argument(help: "The command, run as /bin/sh -c COMMAND.") var command: String

    func run() throws {
        CommandGuard.run(command: command)
    }
}
