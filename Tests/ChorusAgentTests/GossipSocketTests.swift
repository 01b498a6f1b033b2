import NIOCore
import NIOPosix
import Testing

@testable import ChorusAgent

/// The gossip port belongs to the agent: another local user's socket cannot bind it, even one
/// asking for `SO_REUSEADDR` (issue 15: with the option on both sockets, a second process bound
/// the port, took the traffic, and the node was declared dead).
@Suite struct GossipSocketTests {
    @Test func aHijackerCannotBindTheGossipPortEvenWithReuseAddress() async throws {
        let gossip = try await GossipService.bind(try HostPort(parsing: "127.0.0.1:0"), group: MultiThreadedEventLoopGroup.singleton)
        let port = try #require(gossip.channel.localAddress?.port)
        await #expect(throws: (any Error).self) {
            let hijacker = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: "127.0.0.1", port: port).get()
            try await hijacker.close()
        }
        try await gossip.channel.close()
    }
}
