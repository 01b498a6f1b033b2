import ChorusWire
import Glibc
import NIOCore

extension PeerAddress {
    /// The wire form of a resolved socket address; nil for Unix sockets.
    init?(_ address: SocketAddress) {
        guard let port = address.port, let text = address.ipAddress, let ip = Self.parseIP(text) else { return nil }
        self.init(ip: ip, port: UInt16(port))
    }

    /// The 4 or 16 network-order bytes of an IP literal, via inet_pton.
    static func parseIP(_ text: String) -> [UInt8]? {
        var v4 = [UInt8](repeating: 0, count: 4)
        if inet_pton(AF_INET, text, &v4) == 1 { return v4 }
        var v6 = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET6, text, &v6) == 1 { return v6 }
        return nil
    }

    var socketAddress: SocketAddress {
        get throws { try SocketAddress(ipAddress: host, port: Int(port)) }
    }
}

extension HostPort {
    /// Resolves a configured address (an IP literal or a host name) to the wire form.
    func resolvePeer() throws -> PeerAddress {
        let resolved = try SocketAddress.makeAddressResolvingHost(host, port: port)
        guard let peer = PeerAddress(resolved) else { throw AgentStartupError.unresolvable(description) }
        return peer
    }
}
