import Foundation
import Logging
import Subprocess
import SystemPackage

/// Runs the hook commands configured per event (`events.hooks = ["upgrade-finished=CMD", "*=CMD"]`):
/// `/bin/sh -c CMD` with the events' JSON on stdin, one object per line, and `CHORUS_EVENT` set;
/// one at a time, in event order, each event once. A hook that fails is logged; it never blocks
/// the agent.
///
/// Member events are coalesced, as Serf's `coalesce_period` does: the first one opens a window
/// of `coalescePeriod`, and each hook gets every member event of the window that it matches in
/// one process. A join storm of N agents then forks a few processes per hook, not N per agent
/// (issue 16: 25 agents joining with a `*` hook reached a load average of 81). Cluster events
/// (upgrade, maintenance, banner) each get their own process, in order with the batches around them.
public struct EventHooks: Sendable {
    public let commands: [EventHook]
    public let coalescePeriod: Duration

    /// A zero period: no coalescing.
    public init(_ commands: [EventHook], coalescePeriod: Duration = .zero) {
        self.commands = commands
        self.coalescePeriod = coalescePeriod
    }

    public var isEmpty: Bool { commands.isEmpty }

    /// Follows the journal from the first event it holds until cancelled: events recorded before
    /// this task got to run (the agent's first joins, while the service group starts) are hooked too.
    public func run(journal: EventJournal, logger: Logger) async {
        guard !isEmpty else { return }
        var handled: UInt64 = 0
        for await event in journal.subscribe(after: handled) where event.id > handled {
            var window = [event]
            if coalescePeriod > .zero, event.isMemberEvent {
                try? await Task.sleep(for: coalescePeriod)
                // What the journal recorded meanwhile; the subscription repeats it, and is skipped.
                window += journal.recent.filter { $0.id > event.id }
            }
            handled = window.last?.id ?? handled
            for run in Self.runs(of: window) {
                for hook in commands {
                    let matching = run.filter { hook.matches($0.event) }
                    guard !matching.isEmpty else { continue }
                    await Self.execute(hook.command, events: matching, logger: logger)
                }
            }
        }
    }

    /// Consecutive member events together, each cluster event alone: what one process gets.
    static func runs(of window: [AgentEvent]) -> [[AgentEvent]] {
        var runs: [[AgentEvent]] = []
        for event in window {
            if event.isMemberEvent, let last = runs.last?.last, last.isMemberEvent {
                runs[runs.count - 1].append(event)
            } else {
                runs.append([event])
            }
        }
        return runs
    }

    /// `CHORUS_EVENT`: the batch's event name, or its distinct names in order, comma-separated.
    static func eventVariable(for events: [AgentEvent]) -> String {
        var names: [String] = []
        for event in events where !names.contains(event.event) { names.append(event.event) }
        return names.joined(separator: ",")
    }

    private static func execute(_ command: String, events: [AgentEvent], logger: Logger) async {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let input = events.compactMap { try? encoder.encode($0) + Data("\n".utf8) }.reduce(Data(), +)
        let event = eventVariable(for: events)
        // A hook still running when the agent stops is asked to end (SIGTERM), then killed.
        var options = PlatformOptions()
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(5))]
        do {
            let result = try await Subprocess.run(
                .path("/bin/sh"), arguments: ["-c", command],
                environment: .inherit.updating(["CHORUS_EVENT": event, "CHORUS_EVENT_COUNT": String(events.count)]),
                platformOptions: options, input: .inputWriter, output: .currentStandardOutput, error: .currentStandardError
            ) { execution in
                // A hook that does not read its stdin may exit first: the write then fails (EPIPE;
                // the agent ignores SIGPIPE) and the hook has still run.
                _ = try? await execution.standardInputWriter.write([UInt8](input))
                try? await execution.standardInputWriter.finish()
            }
            if result.terminationStatus != .exited(0) {
                logger.warning("event hook failed", metadata: ["event": "\(event)", "status": "\(result.terminationStatus)"])
            }
        } catch {
            logger.warning("event hook did not start", metadata: ["event": "\(event)", "error": "\(error)"])
        }
    }
}

extension AgentEvent {
    var isMemberEvent: Bool { member != nil }
}
