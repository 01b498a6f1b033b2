/// A UDP endpoint as it travels on the wire: an IPv4 or IPv6 address and a port.
public struct PeerAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 bytes (IPv6), network order.
    public let ip: [UInt8]
    public let port: UInt16

    public init?(ip: [UInt8], port: UInt16) {
        guard ip.count == 4 || ip.count == 16 else { return nil }
        self.ip = ip
        self.port = port
    }

    /// Convenience for IPv4 literals in tests and the simulator.
    public init(ipv4 a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, port: UInt16) {
        self.ip = [a, b, c, d]
        self.port = port
    }

    public var host: String {
        if ip.count == 4 { return ip.map(String.init).joined(separator: ".") }
        // Uncompressed IPv6 text form: correct, if not the shortest.
        var groups: [String] = []
        for index in stride(from: 0, to: 16, by: 2) {
            groups.append(String(UInt16(ip[index]) << 8 | UInt16(ip[index + 1]), radix: 16))
        }
        return groups.joined(separator: ":")
    }

    public var description: String { ip.count == 4 ? "\(host):\(port)" : "[\(host)]:\(port)" }

    public static func < (lhs: PeerAddress, rhs: PeerAddress) -> Bool {
        if lhs.ip != rhs.ip { return lhs.ip.lexicographicallyPrecedes(rhs.ip) }
        return lhs.port < rhs.port
    }

    public func encode(into writer: inout ByteWriter) {
        writer.write(uint8: UInt8(ip.count))
        writer.write(bytes: ip)
        writer.write(uint16: port)
    }

    public static func decode(from reader: inout ByteReader) throws(WireError) -> PeerAddress {
        let length = try reader.readUInt8()
        guard length == 4 || length == 16 else { throw .invalidField("address length \(length)") }
        let ip = try reader.readBytes(count: Int(length))
        let port = try reader.readUInt16()
        return PeerAddress(ip: ip, port: port)!
    }
}
