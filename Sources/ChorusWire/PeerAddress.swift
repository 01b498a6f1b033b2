/// A UDP endpoint as it travels on the wire: an IPv4 or IPv6 address and a port.
///
/// The address bytes are kept inline, left-aligned in two big-endian words, not as an array:
/// every member's heartbeat holds one, so a heap allocation each adds up.
public struct PeerAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    private let high: UInt64
    private let low: UInt64
    /// 4 (IPv4) or 16 (IPv6).
    private let length: UInt8
    public let port: UInt16

    public init?(ip: [UInt8], port: UInt16) {
        guard ip.count == 4 || ip.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in ip.enumerated() {
            let shift = UInt64(56 - 8 * (index % 8))
            if index < 8 { high |= UInt64(byte) << shift } else { low |= UInt64(byte) << shift }
        }
        self.init(high: high, low: low, length: UInt8(ip.count), port: port)
    }

    private init(high: UInt64, low: UInt64, length: UInt8, port: UInt16) {
        self.high = high
        self.low = low
        self.length = length
        self.port = port
    }

    /// Convenience for IPv4 literals in tests and the simulator.
    public init(ipv4 a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, port: UInt16) {
        self.init(ip: [a, b, c, d], port: port)!
    }

    /// 4 bytes (IPv4) or 16 bytes (IPv6), network order.
    public var ip: [UInt8] {
        (0..<Int(length)).map { index in
            UInt8(truncatingIfNeeded: (index < 8 ? high : low) >> UInt64(56 - 8 * (index % 8)))
        }
    }

    public var host: String {
        let ip = ip
        if ip.count == 4 { return ip.map(String.init).joined(separator: ".") }
        // Uncompressed IPv6 text form: correct, if not the shortest.
        var groups: [String] = []
        for index in stride(from: 0, to: 16, by: 2) {
            groups.append(String(UInt16(ip[index]) << 8 | UInt16(ip[index + 1]), radix: 16))
        }
        return groups.joined(separator: ":")
    }

    public var description: String { length == 4 ? "\(host):\(port)" : "[\(host)]:\(port)" }

    /// Byte-wise order of the addresses (a shorter one first when it is a prefix), then port.
    /// Left-aligned zero padding makes the words compare like the bytes.
    public static func < (lhs: PeerAddress, rhs: PeerAddress) -> Bool {
        (lhs.high, lhs.low, lhs.length, lhs.port) < (rhs.high, rhs.low, rhs.length, rhs.port)
    }

    public func encode(into writer: inout ByteWriter) {
        writer.write(uint8: length)
        if length == 16 {
            writer.write(uint64: high)
            writer.write(uint64: low)
        } else {
            writer.write(uint32: UInt32(truncatingIfNeeded: high >> 32))
        }
        writer.write(uint16: port)
    }

    public static func decode(from reader: inout ByteReader) throws(WireError) -> PeerAddress {
        let length = try reader.readUInt8()
        guard length == 4 || length == 16 else { throw .invalidField("address length \(length)") }
        let high = length == 16 ? try reader.readUInt64() : UInt64(try reader.readUInt32()) << 32
        let low = length == 16 ? try reader.readUInt64() : 0
        return PeerAddress(high: high, low: low, length: length, port: try reader.readUInt16())
    }
}
