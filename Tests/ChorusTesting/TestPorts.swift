import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Loopback ports for the agents and backends under test: a random window below the kernel's
/// ephemeral range, every port of it free for TCP and UDP when picked. Windows inside that range
/// (the old 20,000–50,000) now and then held a port an outgoing connection had taken (HAProxy's
/// checks, the browser test beside it), and a toy backend could not bind.
public enum TestPorts {
    /// Ports a test may use from its base: agents at base + 0..<20, backends and balancers above.
    public static let span = 128

    public static func randomBase() -> Int {
        let upper = ephemeralRangeStart() - span
        var base = Int.random(in: 10_000...upper)
        for _ in 0..<50 where !(base..<base + span).allSatisfy(isFree) {
            base = Int.random(in: 10_000...upper)
        }
        return base
    }

    private static func ephemeralRangeStart() -> Int {
        let range = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        return range?.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
    }

    private static func isFree(_ port: Int) -> Bool {
        canBind(port, type: Int32(SOCK_STREAM.rawValue)) && canBind(port, type: Int32(SOCK_DGRAM.rawValue))
    }

    private static func canBind(_ port: Int, type: Int32) -> Bool {
        let descriptor = socket(AF_INET, type, 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
