#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds the agent's configuration from its layers: defaults < file < `CHORUS_*` environment < flags
/// (SPEC §1).
///
/// Each setting is taken whole from the highest layer that gives it (a `join` list from the
/// environment replaces the file's list; lists are not concatenated), then validated with a message
/// naming that layer. Unknown keys in the file are errors, because a misspelled key would otherwise
/// leave a default silently in force; unknown `CHORUS_*` variables are ignored, because the
/// environment is shared with other tools (the CLI's `CHORUS_HTTP_ADDR`, for one).
public struct ConfigurationLoader {
    /// - Parameters:
    ///   - environment: usually `ProcessInfo.processInfo.environment`; empty values count as unset.
    ///   - readFile: reads the file named by `--config` or `CHORUS_CONFIG`; injected for tests.
    /// - Throws: `ConfigurationError` naming the source and key of the first invalid setting.
    public static func load(
        flags: ConfigurationFlags,
        environment: [String: String],
        readFile: (String) throws -> String
    ) throws(ConfigurationError) -> AgentConfiguration {
        let filePath = flags.config ?? environment["CHORUS_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        let fileLayer = try filePath.map { path throws(ConfigurationError) in
            try ConfigurationFile.read(path: path, readFile: readFile)
        } ?? [:]
        if let unknown = flags.values.keys.first(where: { AgentSettings.byKey[$0]?.flag == nil }) {
            throw ConfigurationError("flags: '\(unknown)' is not a setting given on the command line")
        }
        var configuration = AgentConfiguration.defaults
        for setting in AgentSettings.all {
            let given = flagSetting(setting, flags) ?? environmentSetting(setting, environment) ?? fileLayer[setting.key]
            guard let raw = given ?? (setting.key == "name" ? defaultName() : nil) else { continue }
            do {
                try setting.store(raw.values, &configuration)
            } catch {
                throw ConfigurationError("\(raw.origin): \(error.reason)")
            }
        }
        if let conflict = configuration.conflict { throw ConfigurationError(conflict) }
        return configuration
    }

    private static func flagSetting(_ setting: Setting, _ flags: ConfigurationFlags) -> RawSetting? {
        guard let flag = setting.flag, let values = flags.values[setting.key], !values.isEmpty else { return nil }
        return RawSetting(values: values, origin: "flag \(flag)")
    }

    /// Lists are comma-separated; blanks around entries are trimmed and empty entries dropped.
    private static func environmentSetting(_ setting: Setting, _ environment: [String: String]) -> RawSetting? {
        guard let text = environment[setting.environmentVariable], !text.isEmpty else { return nil }
        let values = setting.isList
            ? text.split(separator: ",").map { String($0.trimmingBlanks()) }.filter { !$0.isEmpty }
            : [text]
        guard !values.isEmpty else { return nil }
        return RawSetting(values: values, origin: "environment variable \(setting.environmentVariable)")
    }

    private static func defaultName() -> RawSetting {
        RawSetting(values: [systemHostName()], origin: "the host name (the default for --name)")
    }

    /// gethostname(2), as `--name` defaults to it; empty when the call fails, which validation then reports.
    private static func systemHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// One setting as found in one layer, before validation: its values and where they came from.
struct RawSetting {
    var values: [String]
    /// "flag --bind", "environment variable CHORUS_BIND", "config file F, key 'bind'": the prefix of every message.
    var origin: String
}

extension Substring {
    fileprivate func trimmingBlanks() -> Substring {
        let isContent: (Character) -> Bool = { $0 != " " && $0 != "\t" }
        guard let first = firstIndex(where: isContent), let last = lastIndex(where: isContent) else { return "" }
        return self[first...last]
    }
}
