import Foundation
import Logging

/// Runs the hook commands configured per event (`events.hooks = ["upgrade-finished=CMD", "*=CMD"]`):
/// `/bin/sh -c CMD` with the event's JSON on stdin and `CHORUS_EVENT` set, one at a time, in
/// event order, each event once. A hook that fails is logged; it never blocks the agent.
public struct EventHooks: Sendable {
    public let commands: [(event: String, command: String)]

    /// Parses "EVENT=COMMAND" entries; `*` matches every event.
    public init(entries: [String]) throws {
        commands = try entries.map { entry in
            guard let separator = entry.firstIndex(of: "="), separator != entry.startIndex else {
                throw HookConfigurationError(entry: entry)
            }
            return (String(entry[..<separator]), String(entry[entry.index(after: separator)...]))
        }
    }

    public var isEmpty: Bool { commands.isEmpty }

    /// Follows the journal until cancelled.
    public func run(journal: EventJournal, logger: Logger) async {
        guard !isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for await event in journal.subscribe(after: journal.recent.last?.id) {
            for hook in commands where hook.event == "*" || hook.event == event.event {
                guard let json = try? encoder.encode(event) else { continue }
                await Self.execute(hook.command, event: event.event, input: json, logger: logger)
            }
        }
    }

    private static func execute(_ command: String, event: String, input: Data, logger: Logger) async {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        environment["CHORUS_EVENT"] = event
        process.environment = environment
        let stdin = Pipe()
        process.standardInput = stdin
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
                stdin.fileHandleForWriting.write(input)
                try? stdin.fileHandleForWriting.close()
            } catch {
                logger.warning("event hook did not start", metadata: ["event": "\(event)", "error": "\(error)"])
                process.terminationHandler = nil
                continuation.resume()
            }
        }
        if process.isRunning == false, process.terminationStatus != 0 {
            logger.warning("event hook failed", metadata: ["event": "\(event)", "status": "\(process.terminationStatus)"])
        }
    }
}

public struct HookConfigurationError: Error, CustomStringConvertible {
    public var entry: String
    public var description: String { "event hook '\(entry)' must be EVENT=COMMAND (EVENT may be *)" }
}
