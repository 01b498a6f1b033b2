/// Every setting the agent reads, with its name in each layer: the file key (dotted for the
/// `[upgrade]` table), the `CHORUS_*` environment variable and the command-line flag.
enum ConfigurationKey: String, CaseIterable {
    case name, bind, advertise, http, join
    case dataDir = "data_dir"
    case appVersion = "app_version"
    case preset, authority, certificate
    case authorityKey = "authority_key"
    case logFormat = "log_format"
    case logLevel = "log_level"
    case upgradeTasksCommand = "upgrade.tasks_command"
    case upgradeTasksTimeout = "upgrade.tasks_timeout"
    case upgradeAutoApprove = "upgrade.auto_approve"
    case eventHooks = "events.hooks"
    case eventsCoalescePeriod = "events.coalesce_period"
    case clusterFounder = "cluster.founder"
    case gossipKeyringFile = "gossip.keyring_file"
    case endpointAllowedHosts = "endpoint.allowed_hosts"

    var fileKey: String { rawValue }

    var environmentVariable: String {
        "CHORUS_" + String(rawValue.uppercased().map { $0 == "." ? "_" : $0 })
    }

    /// nil for settings that only the file or the environment carry: the dotted (table) ones.
    var flag: String? {
        rawValue.contains(".") ? nil : "--" + String(rawValue.map { $0 == "_" ? "-" : $0 })
    }

    /// Settings a file may give as a TOML boolean or integer, not only as a string.
    var acceptsScalar: Bool { self == .upgradeAutoApprove || self == .upgradeTasksTimeout || self == .eventsCoalescePeriod }

    /// `join`, `events.hooks` and `endpoint.allowed_hosts` are lists; every other setting holds exactly one value.
    var isList: Bool { self == .join || self == .eventHooks || self == .endpointAllowedHosts }

    /// Table headers a file may contain: the prefixes of the dotted keys.
    static let fileTables: Set<String> = Set(allCases.compactMap { key in
        key.fileKey.firstIndex(of: ".").map { String(key.fileKey[..<$0]) }
    })

    /// The value given on the command line, if any.
    func value(in flags: ConfigurationFlags) -> [String]? {
        let single: String?
        switch self {
        case .join: return flags.join.isEmpty ? nil : flags.join
        case .upgradeTasksCommand, .upgradeTasksTimeout, .upgradeAutoApprove, .eventHooks, .eventsCoalescePeriod, .clusterFounder,
             .gossipKeyringFile, .endpointAllowedHosts: return nil
        case .name: single = flags.name
        case .bind: single = flags.bind
        case .advertise: single = flags.advertise
        case .http: single = flags.http
        case .dataDir: single = flags.dataDir
        case .appVersion: single = flags.appVersion
        case .preset: single = flags.preset
        case .authority: single = flags.authority
        case .certificate: single = flags.certificate
        case .authorityKey: single = flags.authorityKey
        case .logFormat: single = flags.logFormat
        case .logLevel: single = flags.logLevel
        }
        return single.map { [$0] }
    }
}

/// One setting as found in one layer, before validation: its values and where they came from.
struct RawSetting {
    var values: [String]
    /// "flag --bind", "environment variable CHORUS_BIND", "config file F, key 'bind'": the prefix of every message.
    var origin: String
}
