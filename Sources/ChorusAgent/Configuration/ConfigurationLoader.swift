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
            try fileSettings(path: path, readFile: readFile)
        } ?? [:]
        let environmentLayer = environmentSettings(environment)
        let defaultName = RawSetting(values: [systemHostName()], origin: "the host name (the default for --name)")

        var configuration = AgentConfiguration(name: "")
        for key in ConfigurationKey.allCases {
            let setting = flagSetting(key, flags) ?? environmentLayer[key] ?? fileLayer[key]
            guard let setting = setting ?? (key == .name ? defaultName : nil) else { continue }
            try ConfigurationValidation.apply(setting, for: key, to: &configuration)
        }
        return configuration
    }

    private static func flagSetting(_ key: ConfigurationKey, _ flags: ConfigurationFlags) -> RawSetting? {
        guard let flag = key.flag, let values = key.value(in: flags) else { return nil }
        return RawSetting(values: values, origin: "flag \(flag)")
    }

    /// `CHORUS_JOIN` is comma-separated; blanks around entries are trimmed and empty entries dropped.
    private static func environmentSettings(_ environment: [String: String]) -> [ConfigurationKey: RawSetting] {
        var layer: [ConfigurationKey: RawSetting] = [:]
        for key in ConfigurationKey.allCases {
            guard let text = environment[key.environmentVariable], !text.isEmpty else { continue }
            let values = key.isList
                ? text.split(separator: ",").map { String($0.trimmingBlanks()) }.filter { !$0.isEmpty }
                : [text]
            guard !values.isEmpty else { continue }
            layer[key] = RawSetting(values: values, origin: "environment variable \(key.environmentVariable)")
        }
        return layer
    }

    private static func fileSettings(
        path: String, readFile: (String) throws -> String
    ) throws(ConfigurationError) -> [ConfigurationKey: RawSetting] {
        let document: TOMLDocument
        do {
            document = try TOMLSubset.parse(try readFile(path))
        } catch let error as TOMLError {
            throw ConfigurationError("config file \(path): \(error)")
        } catch {
            throw ConfigurationError("config file \(path): cannot read it: \(error)")
        }
        if let table = document.tables.first(where: { !ConfigurationKey.fileTables.contains($0) }) {
            throw ConfigurationError("config file \(path): unknown table [\(table)]")
        }
        var layer: [ConfigurationKey: RawSetting] = [:]
        for (fileKey, value) in document.values.sorted(by: { $0.key < $1.key }) {
            guard let key = ConfigurationKey(rawValue: fileKey) else {
                throw ConfigurationError("config file \(path): unknown key '\(fileKey)'")
            }
            let origin = "config file \(path), key '\(fileKey)'"
            switch (value, key.isList) {
            case (.string(let text), false):
                layer[key] = RawSetting(values: [text], origin: origin)
            case (.boolean(let flag), false) where key.acceptsScalar:
                layer[key] = RawSetting(values: [String(flag)], origin: origin)
            case (.integer(let number), false) where key.acceptsScalar:
                layer[key] = RawSetting(values: [String(number)], origin: origin)
            case (.stringArray(let list), true):
                layer[key] = RawSetting(values: list, origin: origin)
            case (_, true):
                throw ConfigurationError("\(origin): must be an array of strings, e.g. \(fileKey) = [\"10.0.0.1:7720\"]")
            case (_, false):
                throw ConfigurationError("\(origin): must be a string in quotes")
            }
        }
        return layer
    }

    /// gethostname(2), as `--name` defaults to it; empty when the call fails, which validation then reports.
    private static func systemHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension Substring {
    fileprivate func trimmingBlanks() -> Substring {
        let isContent: (Character) -> Bool = { $0 != " " && $0 != "\t" }
        guard let first = firstIndex(where: isContent), let last = lastIndex(where: isContent) else { return "" }
        return self[first...last]
    }
}
