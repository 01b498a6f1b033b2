import TOMLKit

/// Reads the `--config` file: TOML, of which the agent takes the top-level keys and one level of
/// tables (`[upgrade]`), each a key of `AgentSettings.all`.
///
/// An unknown key or table is an error naming it, because a misspelled key would otherwise leave
/// a default silently in force. Strings are the values' text; a list setting takes an array of
/// strings, and settings that accept them a bare boolean or integer (`auto_approve = true`).
enum ConfigurationFile {
    static func read(path: String, readFile: (String) throws -> String) throws(ConfigurationError) -> [String: RawSetting] {
        let text: String
        do {
            text = try readFile(path)
        } catch {
            throw ConfigurationError("config file \(path): cannot read it: \(error)")
        }
        let document: TOMLTable
        do {
            document = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError("config file \(path): line \(error.source.begin.line): \(error.description)")
        } catch {
            throw ConfigurationError("config file \(path): \(error)")
        }
        var entries: [(key: String, value: any TOMLValueConvertible)] = []
        for (name, value) in document {
            guard let table = value.table else {
                entries.append((name, value))
                continue
            }
            guard AgentSettings.sections.contains(name) else { throw ConfigurationError("config file \(path): unknown table [\(name)]") }
            entries += table.map { ("\(name).\($0.0)", $0.1) }
        }
        var layer: [String: RawSetting] = [:]
        for (key, value) in entries.sorted(by: { $0.key < $1.key }) {
            guard let setting = AgentSettings.byKey[key] else { throw ConfigurationError("config file \(path): unknown key '\(key)'") }
            let origin = "config file \(path), key '\(key)'"
            guard let values = Self.values(of: value, for: setting) else {
                throw ConfigurationError(setting.isList
                    ? "\(origin): must be an array of strings, e.g. \(key) = [\"10.0.0.1:7720\"]"
                    : "\(origin): must be a string in quotes")
            }
            layer[key] = RawSetting(values: values, origin: origin)
        }
        return layer
    }

    /// The value's text, or nil when its TOML type does not suit the setting.
    private static func values(of value: any TOMLValueConvertible, for setting: Setting) -> [String]? {
        if setting.isList {
            guard let array = value.array else { return nil }
            let strings = array.compactMap(\.string)
            return strings.count == array.count ? strings : nil
        }
        if let text = value.string { return [text] }
        guard setting.acceptsBareScalars else { return nil }
        if let flag = value.bool { return [String(flag)] }
        if let number = value.int { return [String(number)] }
        return nil
    }
}
