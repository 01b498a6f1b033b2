import ArgumentParser
import ChorusAgent
import ChorusCore
import Foundation

/// `chorus events [--follow]`: the agent's recent events (SPEC §8), then, with --follow, every
/// new one as it happens. `--json` prints each event's JSON on its own line.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print the agent's recent member and upgrade events; --follow keeps watching.",
        discussion: "Exit codes: 0 ok, 1 the agent answered with an error, 2 the agent is unreachable.")

    @OptionGroup var options: ClientOptions

    @Flag(help: "Keep printing new events until interrupted.")
    var follow = false

    func run() async throws {
        let json = options.json
        try await options.client().streamEvents(follow ? "/v1/events" : "/v1/events?follow=false") { data in
            // Written straight to the file descriptor: `print` to a pipe is block-buffered, and a
            // script following the events must see each one as it happens.
            if json {
                FileHandle.standardOutput.write(Data((data + "\n").utf8))
            } else if let event = try? JSONDecoder().decode(AgentEvent.self, from: Data(data.utf8)) {
                FileHandle.standardOutput.write(Data((Self.line(for: event) + "\n").utf8))
            }
        }
    }

    static func line(for event: AgentEvent) -> String {
        var detail = ""
        if let member = event.member { detail = "\(member.name) \(member.status.rawValue) \(member.version)" }
        if let cluster = event.cluster {
            switch EventName(rawValue: event.event) {
            case .maintenanceOn: detail = cluster.maintenance.message.map { "message: \($0)" } ?? ""
            case .bannerChanged: detail = cluster.banner.map { "[\($0.level)] \($0.message)" } ?? "banner cleared or expired"
            default: detail = "\(cluster.state) cluster \(cluster.clusterVersion)" + (cluster.targetVersion.map { " → \($0)" } ?? "")
            }
        }
        if let slot = event.slot {
            let purpose = [slot.purpose, slot.client.map { "client \($0)" }].compactMap { $0 }.joined(separator: ", ")
            detail = "\(slot.holder) term \(slot.term)" + (purpose.isEmpty ? "" : " (\(purpose))")
                + (slot.reason.map { ": \($0)" } ?? "") + ", " + detail
        }
        return "\(event.time)  \(event.event.padding(toLength: 22, withPad: " ", startingAt: 0)) \(detail)"
    }
}
