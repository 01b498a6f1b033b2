import Logging

/// Installs the process-wide log handler once, before anything logs.
public enum LoggingSetup {
    /// - Parameters:
    ///   - format: `json` for one object per line (log shippers), `text` for swift-log's stock stderr format.
    ///   - level: the lowest level logged.
    public static func bootstrap(format: AgentConfiguration.LogFormat, level: Logger.Level) {
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
