import Foundation
import ChorusCore
import ChorusWire

/// How the text of a flag, variable or file value becomes a typed value, and how a typed value is
/// written back, to document a default. Every message reads after "flag --bind: " and the like.
struct SettingSyntax<Value: Equatable & Sendable>: Sendable {
    /// What a value looks like, for the docs and `--help`.
    let name: String
    /// Booleans and durations: the file may write them bare (`true`, `1800`), not only quoted.
    let acceptsBareScalars: Bool
    let parse: @Sendable (String) throws(SettingRejection) -> Value
    let format: @Sendable (Value) -> String

    init(_ name: String, acceptsBareScalars: Bool = false,
         parse: @escaping @Sendable (String) throws(SettingRejection) -> Value,
         format: @escaping @Sendable (Value) -> String) {
        self.name = name
        self.acceptsBareScalars = acceptsBareScalars
        self.parse = parse
        self.format = format
    }

    /// The same syntax for a setting that is unset by default ("none").
    var optional: SettingSyntax<Value?> {
        let (parse, format) = (parse, format)
        return SettingSyntax<Value?>(name, acceptsBareScalars: acceptsBareScalars,
                                     parse: { text throws(SettingRejection) in try parse(text) },
                                     format: { $0.map(format) ?? "none" })
    }
}

extension SettingSyntax where Value == String {
    static let text = SettingSyntax("text", parse: nonEmpty, format: { $0 })
    static let path = SettingSyntax("PATH", parse: nonEmpty, format: { $0 })
    static let command = SettingSyntax("COMMAND", parse: nonEmpty, format: { $0 })

    /// Names are signed into certificates (hence their length bound) and travel in URLs
    /// (`DELETE /v1/members/{name}`), hence no '/' or blanks.
    static let nodeName = SettingSyntax("NAME", parse: { name throws(SettingRejection) in
        let isValid = (1...Certificate.maxNameLength).contains(name.utf8.count)
            && !name.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F || $0 == "/" }
        guard isValid else {
            throw SettingRejection(
                "'\(name)' is not a valid node name (1 to \(Certificate.maxNameLength) bytes, no spaces, control characters or '/')")
        }
        return name
    }, format: { $0 })

    /// X.Y.Z, each a decimal number without leading zeros (semver's core version).
    static let version = SettingSyntax("X.Y.Z", parse: { version throws(SettingRejection) in
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        let isValid = parts.count == 3 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 9 && part.allSatisfy { $0.isASCII && $0.isNumber } && (part == "0" || part.first != "0")
        }
        guard isValid else { throw SettingRejection("'\(version)' is not a version X.Y.Z (three numbers, e.g. 1.4.2)") }
        return version
    }, format: { $0 })

    /// A name for the `Host` header: no port, scheme or path.
    static let hostName = SettingSyntax("HOST", parse: { name throws(SettingRejection) in
        guard !name.isEmpty, !name.contains(where: { $0 == ":" || $0 == "/" || $0.isWhitespace }) else {
            throw SettingRejection("'\(name)' is not a host name (no port, scheme or path)")
        }
        return name
    }, format: { $0 })

    /// An http or https URL with a host, as a health check dials it.
    static let url = SettingSyntax("URL", parse: { text throws(SettingRejection) in
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
              let host = url.host, !host.isEmpty else {
            throw SettingRejection("'\(text)' is not an http:// or https:// URL with a host")
        }
        return text
    }, format: { $0 })

    private static func nonEmpty(_ value: String) throws(SettingRejection) -> String {
        guard !value.isEmpty else { throw SettingRejection("must not be empty") }
        return value
    }
}

extension SettingSyntax where Value == HostPort {
    /// Port 0 binds an ephemeral port, which is fine for `bind` and `http` but cannot be dialled.
    static func address(dialled: Bool) -> SettingSyntax {
        SettingSyntax("HOST:PORT", parse: { value throws(SettingRejection) in
            do throws(HostPort.ParseError) {
                let parsed = try HostPort(parsing: value)
                guard !dialled || parsed.port != 0 else { throw HostPort.ParseError(reason: "port 0 cannot be dialled") }
                return parsed
            } catch {
                throw SettingRejection("'\(value)' is not a valid HOST:PORT: \(error.reason)")
            }
        }, format: \.description)
    }
}

extension SettingSyntax where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    /// One of the enumeration's raw values, listed in the name and the message.
    static var choice: SettingSyntax {
        let choices = Value.allCases.map(\.rawValue)
        return SettingSyntax(choices.joined(separator: "|"), parse: { value throws(SettingRejection) in
            guard let parsed = Value(rawValue: value) else {
                throw SettingRejection("'\(value)' is not one of \(choices.joined(separator: ", "))")
            }
            return parsed
        }, format: \.rawValue)
    }
}

extension SettingSyntax where Value == Bool {
    static let boolean = SettingSyntax("true|false", acceptsBareScalars: true, parse: { value throws(SettingRejection) in
        guard let flag = Bool(value) else { throw SettingRejection("'\(value)' is not one of true, false") }
        return flag
    }, format: { String($0) })
}

extension SettingSyntax where Value == EventHook {
    static let hook = SettingSyntax("EVENT=COMMAND", parse: { entry throws(SettingRejection) in
        do throws(HookConfigurationError) {
            return try EventHook(parsing: entry)
        } catch {
            throw SettingRejection(error.description)
        }
    }, format: { "\($0.event)=\($0.command)" })
}

extension SettingSyntax where Value == Duration {
    /// Seconds, or a number followed by ms, s, m, h or d: "90", "500ms", "90s", "15m", "2h".
    /// `within` bounds the value; a value out of syntax or bounds "is not a \(rejection)".
    static func duration(within range: some RangeExpression<Duration> & Sendable, rejection: String) -> SettingSyntax {
        SettingSyntax("duration", acceptsBareScalars: true, parse: { text throws(SettingRejection) in
            guard let duration = parseDuration(text), range.contains(duration) else {
                throw SettingRejection("'\(text)' is not a \(rejection)")
            }
            return duration
        }, format: formatDuration)
    }

    private static func parseDuration(_ text: String) -> Duration? {
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

    /// In the largest unit that keeps it whole: 1800 s is "30m", 1 s is "1s".
    private static func formatDuration(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)]
            where milliseconds >= size && milliseconds % size == 0 {
            return "\(milliseconds / size)\(unit)"
        }
        return "\(milliseconds)ms"
    }
}
