import Foundation
import Logging
import Synchronization

/// A swift-log handler writing one JSON object per line to stderr, for log shippers:
/// `{"ts":"2025-01-02T03:04:05.678Z","level":"info","label":"chorus","message":"...", ...metadata}`.
///
/// Each line goes out in one unbuffered write under a process-wide lock, so lines from
/// concurrent tasks never interleave and nothing is lost in a buffer when the process is killed.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        merged.merge(metadataProvider?.get() ?? [:]) { _, new in new }
        merged.merge(event.metadata ?? [:]) { _, new in new }
        if let error = event.error, merged["error"] == nil { merged["error"] = "\(error)" }
        let line = Self.line(
            timestamp: Date(), level: event.level, label: label, message: event.message.description, metadata: merged)
        Self.write(line)
    }

    /// The JSON text of one record, newline included. Metadata keys that collide with the four
    /// fixed fields are written as `metadata.<key>` so no value is lost and no key is duplicated.
    static func line(
        timestamp: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata
    ) -> String {
        var fields = [
            ("ts", JSONText.string(timestamp.formatted(timestampStyle))),
            ("level", JSONText.string(level.rawValue)),
            ("label", JSONText.string(label)),
            ("message", JSONText.string(message)),
        ]
        let fixed = Set(fields.map(\.0))
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            fields.append((fixed.contains(key) ? "metadata.\(key)" : key, JSONText.value(value)))
        }
        return "{" + fields.map { "\(JSONText.string($0.0)):\($0.1)" }.joined(separator: ",") + "}\n"
    }

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let output = Mutex(FileHandle.standardError)

    private static func write(_ line: String) {
        output.withLock { handle in handle.write(Data(line.utf8)) }
    }
}

/// The little JSON encoding the log handler needs, without a JSONEncoder per line.
enum JSONText {
    static func value(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): string(text)
        case .stringConvertible(let convertible): string(convertible.description)
        case .array(let values): "[" + values.map(Self.value).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            "{" + dictionary.sorted { $0.key < $1.key }.map { "\(string($0.key)):\(Self.value($0.value))" }
                .joined(separator: ",") + "}"
        }
    }

    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
