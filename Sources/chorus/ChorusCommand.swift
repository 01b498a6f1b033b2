import ArgumentParser
import ChorusCore
import ChorusWire

/// `chorus`: the agent and the clients of its local endpoint (SPEC §9).
@main
struct ChorusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chorus",
        abstract: "Peer-to-peer coordination of zero-downtime cluster upgrades.",
        // The protocol is the heartbeat's (what peers negotiate on), the envelope what datagrams say.
        version: "0.1.0 (protocol \(MembershipNode.protocolVersion), envelope \(Datagram.currentVersion))",
        subcommands: [
            AgentCommand.self, StatusCommand.self, MembersCommand.self, UpgradeCommand.self, RolloutCommand.self, EventsCommand.self,
            MaintenanceCommand.self, BannerCommand.self, DrainCommand.self, UndrainCommand.self, LeaveCommand.self, JoinCommand.self,
            KeysCommand.self, KeyringCommand.self, OperatorsCommand.self, ReloadCommand.self, SimulateCommand.self,
            CommandGuardCommand.self,
        ])
}
