/// One row of `AgentSettings.all`: a setting's names in every layer, its syntax, its
/// documentation, and where its validated value is kept in `AgentConfiguration`.
///
/// The names follow from `key`, one rule for all: `upgrade.tasks_command` is key `tasks_command`
/// of the file's `[upgrade]` table and `CHORUS_UPGRADE_TASKS_COMMAND`; a key without a table
/// (`data_dir`) is also the flag `--data-dir`. Table settings have no flag (SPEC §1).
public struct Setting: Sendable {
    /// The file key, dotted after its table: `bind`, `upgrade.tasks_timeout`.
    public let key: String
    /// What a value (of a list: each entry) looks like, for `--help` and the docs: "HOST:PORT", "duration".
    public let syntax: String
    /// Several values: a file array, a comma-separated variable, a repeated flag.
    public let isList: Bool
    /// The default as operators read it: the value itself, "none", or how it is derived.
    public let defaultText: String
    /// One line for the docs table and `--help`.
    public let summary: String
    /// `chorus reload` puts a new value in force; every other setting needs a restart.
    public let reloadsLive: Bool
    /// The file may give a TOML boolean or integer, not only a string (`auto_approve = false`, `tasks_timeout = 1800`).
    let acceptsBareScalars: Bool
    /// Validates the values one layer gave and stores them in the configuration.
    let store: @Sendable ([String], inout AgentConfiguration) throws(SettingRejection) -> Void
    /// Whether two configurations hold different values, as a reload asks.
    let differs: @Sendable (AgentConfiguration, AgentConfiguration) -> Bool
    /// Copies the value from the first configuration into the second, as a reload does for the live settings.
    let copy: @Sendable (AgentConfiguration, inout AgentConfiguration) -> Void

    /// The file table holding the setting (`upgrade`), nil for the top level.
    public var section: String? { key.firstIndex(of: ".").map { String(key[..<$0]) } }

    public var environmentVariable: String {
        "CHORUS_" + String(key.uppercased().map { $0 == "." ? "_" : $0 })
    }

    public var flag: String? { section == nil ? "--" + String(key.map { $0 == "_" ? "-" : $0 }) : nil }
}

/// Why a value is refused; the loader puts the setting's origin in front of it.
struct SettingRejection: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

extension Setting {
    /// A setting holding one value (an optional one: `syntax.optional`); `defaultText` defaults to
    /// the value `AgentConfiguration` starts with.
    static func one<Value: Equatable & Sendable>(
        _ key: String, _ syntax: SettingSyntax<Value>, at path: any WritableKeyPath<AgentConfiguration, Value> & Sendable,
        live: Bool = false, default defaultText: String? = nil, _ summary: String
    ) -> Setting {
        Setting(
            key: key, syntax: syntax.name, isList: false,
            defaultText: defaultText ?? syntax.format(AgentConfiguration.defaults[keyPath: path]),
            summary: summary, reloadsLive: live, acceptsBareScalars: syntax.acceptsBareScalars,
            store: { values, configuration throws(SettingRejection) in
                configuration[keyPath: path] = try syntax.parse(values.first ?? "")
            },
            differs: { $0[keyPath: path] != $1[keyPath: path] },
            copy: { $1[keyPath: path] = $0[keyPath: path] })
    }

    /// A list, empty by default; each entry is checked alone, so a message names the bad one.
    static func list<Value: Equatable & Sendable>(
        _ key: String, of syntax: SettingSyntax<Value>, at path: any WritableKeyPath<AgentConfiguration, [Value]> & Sendable,
        _ summary: String
    ) -> Setting {
        Setting(
            key: key, syntax: syntax.name, isList: true, defaultText: "none", summary: summary,
            reloadsLive: false, acceptsBareScalars: false,
            store: { values, configuration throws(SettingRejection) in
                var parsed: [Value] = []
                for value in values { parsed.append(try syntax.parse(value)) }
                configuration[keyPath: path] = parsed
            },
            differs: { $0[keyPath: path] != $1[keyPath: path] },
            copy: { $1[keyPath: path] = $0[keyPath: path] })
    }
}
