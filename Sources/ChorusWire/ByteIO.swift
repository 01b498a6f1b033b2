/// Why a datagram or field was rejected. Every decode failure is one of these; none crashes.
public enum WireError: Error, Sendable, Equatable {
    case truncated
    case tooLarge
    case badMagic
    case unsupportedVersion(UInt8)
    case wrongCluster
    case invalidField(String)
    case trailingBytes
}

/// Appends big-endian integers and length-prefixed fields.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    public var count: Int { bytes.count }

    public mutating func write(uint8 value: UInt8) { bytes.append(value) }

    public mutating func write(uint16 value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xff))
    }

    public mutating func write(uint32 value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8((value >> UInt32(shift)) & 0xff)) }
    }

    public mutating func write(uint64 value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((value >> UInt64(shift)) & 0xff)) }
    }

    public mutating func write(bytes more: [UInt8]) { bytes.append(contentsOf: more) }

    /// A string of at most 255 UTF-8 bytes with a one-byte length; longer input is truncated
    /// at a character boundary by the caller's validation, never silently here.
    public mutating func write(shortString value: String) {
        let utf8 = Array(value.utf8.prefix(255))
        write(uint8: UInt8(utf8.count))
        write(bytes: utf8)
    }

    /// Overwrites a big-endian UInt16 previously reserved at `offset`.
    public mutating func patch(uint16 value: UInt16, at offset: Int) {
        bytes[offset] = UInt8(value >> 8)
        bytes[offset + 1] = UInt8(value & 0xff)
    }
}

/// Reads big-endian fields from untrusted bytes. Every read checks the remaining length first,
/// so no declared length can make it read past the buffer.
public struct ByteReader: Sendable {
    private let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset >= bytes.count }

    public mutating func readUInt8() throws(WireError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func readUInt16() throws(WireError) -> UInt16 {
        guard remaining >= 2 else { throw .truncated }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    public mutating func readUInt32() throws(WireError) -> UInt32 {
        guard remaining >= 4 else { throw .truncated }
        var value: UInt32 = 0
        for index in 0..<4 { value = value << 8 | UInt32(bytes[offset + index]) }
        offset += 4
        return value
    }

    public mutating func readUInt64() throws(WireError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated }
        var value: UInt64 = 0
        for index in 0..<8 { value = value << 8 | UInt64(bytes[offset + index]) }
        offset += 8
        return value
    }

    public mutating func readBytes(count: Int) throws(WireError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw .truncated }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    public mutating func skip(_ count: Int) throws(WireError) {
        guard count >= 0, remaining >= count else { throw .truncated }
        offset += count
    }

    public mutating func readShortString(maxLength: Int) throws(WireError) -> String {
        let length = Int(try readUInt8())
        guard length <= maxLength else { throw .invalidField("string longer than \(maxLength) bytes") }
        let raw = try readBytes(count: length)
        guard let text = String(validating: raw, as: UTF8.self) else { throw .invalidField("string is not UTF-8") }
        return text
    }

    /// The bytes from `start` up to the current offset (used to recover exactly what was signed).
    public func slice(from start: Int) -> [UInt8] { Array(bytes[start..<offset]) }
}
