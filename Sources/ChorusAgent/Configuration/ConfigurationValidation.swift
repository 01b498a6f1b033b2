import ChorusCore
import ChorusWire
import Logging

/// Checks one raw setting and stores it in the configuration; every message starts with the
/// setting's origin ("flag --bind: ...") so the operator knows which layer to fix.
enum ConfigurationValidation {
    static func apply(
        _ setting: RawSetting, for key: ConfigurationKey, to configuration: inout AgentConfiguration
    ) throws(ConfigurationError) {
        let fail = { (reason: String) in ConfigurationError("\(setting.origin): \(reason)") }
        let value = setting.values.first ?? ""
        switch key {
        case .name:
            guard isValidName(value) else {
                throw fail(
                    "'\(value)' is not a valid node name (1 to \(Certificate.maxNameLength) bytes, no spaces, control characters or '/')")
            }
            configuration.name = value
        case .bind:
            configuration.bind = try address(value, allowPortZero: true, fail)
        case .advertise:
            configuration.advertise = try address(value, allowPortZero: false, fail)
        case .http:
            configuration.http = try address(value, allowPortZero: true, fail)
        case .join:
            var seeds: [String] = []
            for seed in setting.values { seeds.append(try address(seed, allowPortZero: false, fail)) }
            configuration.join = seeds
        case .dataDir:
            configuration.dataDir = try nonEmpty(value, fail)
        case .appVersion:
            guard isNumericSemver(value) else { throw fail("'\(value)' is not a version X.Y.Z (three numbers, e.g. 1.4.2)") }
            configuration.appVersion = value
        case .preset:
            guard let preset = TimingPreset(rawValue: value) else {
                throw fail(oneOf(value, TimingPreset.allCases.map(\.rawValue)))
            }
            configuration.preset = preset
        case .authority:
            configuration.authority = try nonEmpty(value, fail)
        case .certificate:
            configuration.certificate = try nonEmpty(value, fail)
        case .authorityKey:
            configuration.authorityKey = try nonEmpty(value, fail)
        case .logFormat:
            guard let format = AgentConfiguration.LogFormat(rawValue: value) else {
                throw fail(oneOf(value, AgentConfiguration.LogFormat.allCases.map(\.rawValue)))
            }
            configuration.logFormat = format
        case .logLevel:
            guard Logger.Level(rawValue: value) != nil else {
                throw fail(oneOf(value, Logger.Level.allCases.map(\.rawValue)))
            }
            configuration.logLevel = value
        case .upgradeTasksCommand:
            configuration.upgradeTasksCommand = try nonEmpty(value, fail)
        case .upgradeTasksTimeout:
            guard let duration = parseDuration(value), duration > .zero else {
                throw fail("'\(value)' is not a duration (seconds, or a number followed by s, m or h, e.g. 30m)")
            }
            configuration.upgradeTasksTimeout = duration
        case .upgradeAutoApprove:
            guard let flag = Bool(value) else { throw fail(oneOf(value, ["true", "false"])) }
            configuration.upgradeAutoApprove = flag
        case .eventHooks:
            do {
                _ = try EventHooks(entries: setting.values)
            } catch {
                throw fail("\(error)")
            }
            configuration.eventHooks = setting.values
        case .eventsCoalescePeriod:
            guard let period = parseDuration(value), period <= .seconds(60) else {
                throw fail("'\(value)' is not a duration of at most 60 s (e.g. 500ms, 1s; 0 delivers each event alone)")
            }
            configuration.eventsCoalescePeriod = period
        case .clusterFounder:
            configuration.clusterFounder = try nonEmpty(value, fail)
        case .gossipKeyringFile:
            configuration.gossipKeyringFile = try nonEmpty(value, fail)
        case .endpointAllowedHosts:
            for name in setting.values where name.isEmpty || name.contains(where: { $0 == ":" || $0 == "/" || $0.isWhitespace }) {
                throw fail("'\(name)' is not a host name (no port, scheme or path)")
            }
            configuration.endpointAllowedHosts = setting.values
        }
    }

    /// "90", "90s", "15m", "2h", "90d".
    static func parseDuration(_ text: String) -> Duration? {
        if text.hasSuffix("ms") {
            guard let number = Int64(text.dropLast(2)), number >= 0, number <= 1_000_000_000 else { return nil }
            return .milliseconds(number)
        }
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        let unit = text.last.flatMap { units[$0] }
        guard let number = Int64(unit == nil ? text : String(text.dropLast())), number >= 0,
              number <= 1_000_000 else { return nil }
        return .seconds(number * (unit ?? 1))
    }

    private static func nonEmpty(_ value: String, _ fail: (String) -> ConfigurationError) throws(ConfigurationError) -> String {
        guard !value.isEmpty else { throw fail("must not be empty") }
        return value
    }

    /// Port 0 binds an ephemeral port, which is fine for `bind` and `http` but cannot be dialled.
    private static func address(
        _ value: String, allowPortZero: Bool, _ fail: (String) -> ConfigurationError
    ) throws(ConfigurationError) -> String {
        do throws(HostPort.ParseError) {
            let parsed = try HostPort(parsing: value)
            guard allowPortZero || parsed.port != 0 else { throw HostPort.ParseError(reason: "port 0 cannot be dialled") }
        } catch {
            throw fail("'\(value)' is not a valid HOST:PORT: \(error.reason)")
        }
        return value
    }

    private static func oneOf(_ value: String, _ choices: [String]) -> String {
        "'\(value)' is not one of \(choices.joined(separator: ", "))"
    }

    /// Names are signed into certificates (hence their length bound) and travel in URLs
    /// (`DELETE /v1/members/{name}`), hence no '/' or blanks.
    private static func isValidName(_ name: String) -> Bool {
        (1...Certificate.maxNameLength).contains(name.utf8.count)
            && !name.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F || $0 == "/" }
    }

    /// X.Y.Z, each a decimal number without leading zeros (semver's core version).
    private static func isNumericSemver(_ version: String) -> Bool {
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 9 && part.allSatisfy { $0.isASCII && $0.isNumber }
                && (part == "0" || part.first != "0")
        }
    }
}
