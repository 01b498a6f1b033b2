import Foundation
import Testing

#if canImport(Glibc)
import Glibc
import ChorusTesting
#endif

/// HTTP clients cannot take an agent's descriptors (issue 15: 1,100 idle connections against
/// the default limit made saving the acceptor state fail with "too many open files"; 500
/// slowloris connections were held for 60 s). Node-3 runs with a limit of 512 descriptors and
/// is sent 480 connections that never send a request, and 20 that send a request's head byte
/// by byte; it must keep its membership, store a decision taken meanwhile, and close the idle
/// connections within its idle timeout.
@Suite(.serialized) struct ConnectionHogProcessTests {
    @Test func connectionsPastTheLimitNeitherStarveNorSilenceTheAgent() async throws {
        let cluster = try ProcessCluster(count: 3, label: "hog")
        defer { cluster.stop() }
        try await cluster.startServing()
        let admitted = await eventually(within: .seconds(10)) {
            for agent in cluster.agents where await agent.cluster()?.voters.count != 3 { return false }
            return true
        }
        try #require(admitted != nil, "the three agents are not all voters")
        let target = cluster.agents[2]
        let pid = try #require(target.pid)
        try #require(try runTool("/usr/bin/prlimit", ["--pid", "\(pid)", "--nofile=512:512"]) == 0)

        // The slow ones first, so they are among those accepted at once; the idle ones fill the
        // agent's 256 and the listen backlog's 256 (past that the kernel drops the handshake).
        let slow = (0..<20).compactMap { _ in connect(to: target.httpPort) }
        let hogs = slow + (0..<480).compactMap { _ in connect(to: target.httpPort) }
        defer { for socket in hogs { close(socket) } }
        try #require(hogs.count == 500, "could open only \(hogs.count) connections")
        let opened = ContinuousClock.now

        // A decision taken elsewhere meanwhile reaches node-3's disk.
        let decisions = target.dataDirectory.appendingPathComponent("decisions")
        #expect(try await cluster.agents[0].mutate("PUT", "/v1/banner", json: #"{"message":"hogged"}"#) == 200)
        let stored = await eventually(within: .seconds(5)) {
            (try? Data(contentsOf: decisions))?.range(of: Data("hogged".utf8)) != nil
        }
        #expect(stored != nil, "node-3 did not store the decision while its connections were taken")

        // Slowloris: a head that never ends, a byte a second; everyone sees node-3 alive throughout.
        var alive = true
        for step in 0..<14 {
            for socket in slow { _ = send(socket, Array("GET /v1/self HTTP/1.1\r\n".utf8), step) }
            for observer in cluster.agents.prefix(2) {
                if let member = await observer.members()?.first(where: { $0.name == target.name }), member.status != "alive" {
                    alive = false
                }
            }
            try await Task.sleep(for: .seconds(1))
        }
        #expect(alive, "node-3 was suspected while its connections were taken")

        // Everything the agent accepted was closed by its idle timeout (10 s), the slow heads too.
        let closed = hogs.filter { isClosedByPeer($0) }.count
        #expect(closed >= 256, "\(closed) of \(hogs.count) connections closed \(ContinuousClock.now - opened) after they opened")
        #expect(slow.allSatisfy(isClosedByPeer), "a head sent byte by byte held its connection")
        #expect(await target.status(of: "/v1/health/lb") == 200, "node-3 answers again")
    }
}

/// A TCP connection to 127.0.0.1:`port`, or nil.
private func connect(to port: Int) -> Int32? {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { return nil }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else {
        close(socket)
        return nil
    }
    return socket
}

/// Sends the byte at `index` of `bytes` (nothing past the end).
private func send(_ socket: Int32, _ bytes: [UInt8], _ index: Int) -> Int {
    guard index < bytes.count else { return 0 }
    return Glibc.send(socket, [bytes[index]], 1, Int32(MSG_NOSIGNAL))
}

/// True when the peer closed: a read that does not block returns 0 (or fails with a reset).
private func isClosedByPeer(_ socket: Int32) -> Bool {
    var byte: UInt8 = 0
    let count = recv(socket, &byte, 1, Int32(MSG_DONTWAIT))
    return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
}
