/// One `[events] hooks` entry, "EVENT=COMMAND": `command` runs by `/bin/sh -c` for `event`, or
/// for every event when `event` is `*`.
public struct EventHook: Sendable, Equatable {
    public var event: String
    public var command: String

    /// Parses "EVENT=COMMAND"; the command may itself contain '='.
    public init(parsing entry: String) throws(HookConfigurationError) {
        guard let separator = entry.firstIndex(of: "="), separator != entry.startIndex else {
            throw HookConfigurationError(entry: entry)
        }
        event = String(entry[..<separator])
        command = String(entry[entry.index(after: separator)...])
    }

    public func matches(_ eventName: String) -> Bool { event == "*" || event == eventName }
}

public struct HookConfigurationError: Error, CustomStringConvertible {
    public var entry: String
    public var description: String { "event hook '\(entry)' must be EVENT=COMMAND (EVENT may be *)" }
}
