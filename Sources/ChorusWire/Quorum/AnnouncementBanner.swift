/// A cluster-wide message for the application to show its users (SPEC §6), agreed by quorum.
public struct AnnouncementBanner: Sendable, Hashable {
    public enum Level: UInt8, Sendable, CaseIterable {
        case info = 0, warning = 1

        public var name: String {
            switch self {
            case .info: "info"
            case .warning: "warning"
            }
        }

        public init?(name: String) {
            guard let level = Self.allCases.first(where: { $0.name == name }) else { return nil }
            self = level
        }
    }

    public var message: String
    public var level: Level
    /// Unix seconds after which every agent stops serving it, each by its own wall clock; nil: never.
    public var expiresAt: UInt64?

    public init(message: String, level: Level, expiresAt: UInt64?) {
        self.message = message
        self.level = level
        self.expiresAt = expiresAt
    }

    /// Whether an agent whose wall clock reads `unixSeconds` serves it.
    public func isActive(atUnixSeconds unixSeconds: UInt64) -> Bool {
        expiresAt.map { unixSeconds < $0 } ?? true
    }

    func encode(into writer: inout ByteWriter) {
        writer.write(shortString: message.truncatedUTF8(maxBytes: DecisionValue.maxTextLength))
        writer.write(uint8: level.rawValue)
        writer.write(uint64: expiresAt ?? 0)
    }

    static func decode(from reader: inout ByteReader) throws(WireError) -> AnnouncementBanner {
        let message = try reader.readShortString(maxLength: DecisionValue.maxTextLength)
        let raw = try reader.readUInt8()
        guard let level = Level(rawValue: raw) else { throw .invalidField("banner level \(raw)") }
        let expiresAt = try reader.readUInt64()
        return AnnouncementBanner(message: message, level: level, expiresAt: expiresAt == 0 ? nil : expiresAt)
    }
}

extension String {
    /// At most `maxBytes` of UTF-8, cut at a character boundary so the result stays valid and short.
    public func truncatedUTF8(maxBytes: Int) -> String {
        guard utf8.count > maxBytes else { return self }
        var result = ""
        for character in self {
            guard result.utf8.count + character.utf8.count <= maxBytes else { break }
            result.append(character)
        }
        return result
    }
}
