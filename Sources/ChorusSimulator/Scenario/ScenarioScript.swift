import ChorusCore

/// A parsed scenario file: the cluster to start and the commands to carry out on it
/// (docs/scenarios.md describes the format).
public struct ScenarioScript: Sendable {
    /// One command with where it came from, for the trace and for failure messages.
    public struct Step: Sendable {
        public let line: Int
        /// The command as written, without its comment.
        public let text: String
        public let command: ScenarioCommand
    }

    public let file: String
    /// The first line's comment: what the scenario checks.
    public let summary: String
    public let preset: String
    public let settings: MembershipSettings
    /// The script's own seed; a runner's seed overrides it.
    public let seed: UInt64?
    public let nodes: Int
    public let steps: [Step]

    /// Whether the script replays, reflects, floods or lies: then the network is tapped from the
    /// first datagram on, so there is something captured to replay.
    public var usesHostileFaults: Bool {
        steps.contains { step in
            switch step.command {
            case .replay, .replayAcks, .reflect, .flood, .lie: true
            default: false
            }
        }
    }

    /// The seed a script runs on when neither it nor the runner names one.
    public static let defaultSeed: UInt64 = 1

    public static func parse(_ text: String, file: String) throws(ScenarioParseError) -> ScenarioScript {
        var parser = ScenarioParser(file: file)
        return try parser.parse(text)
    }
}

/// A script that does not follow the format: where, and what was expected there.
public struct ScenarioParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let message: String

    public var description: String { "\(file):\(line): \(message)" }
}
