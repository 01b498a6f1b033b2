import Logging

/// Installs the process-wide log handler once, before anything logs.
public enum LoggingSetup {
    /// - Parameters:
    ///   - format: `json` for one object per line (log shippers), `text` for swift-log's stock stderr format.
    ///   - level: a `Logger.Level` name; `ConfigurationLoader` has already rejected others, so an unknown
    ///     one (a caller that skipped validation) falls back to `info` rather than silencing the agent.
    public static func bootstrap(format: AgentConfiguration.LogFormat, level: String) {
        let level = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = switch format {
            case .json: JSONLogHandler(label: label)
            case .text: StreamLogHandler.standardError(label: label)
            }
            handler.logLevel = level
            return handler
        }
    }
}
