import ChorusCore
import ChorusWire
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The UDP side of the agent: a receive loop, a timer loop and a send loop around the runtime.
/// On graceful shutdown (SIGTERM, SIGINT) it announces a leave, lets gossip carry it for a
/// moment, then closes.
struct GossipService: Service {
    typealias Channel = NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>

    let channel: Channel
    let runtime: NodeRuntime
    /// How long gossip keeps running after the leave announcement.
    let leaveGrace: Duration
    /// Longest sleep of the timer loop, so news queued by a receive goes out promptly.
    let maxTimerSleep: Duration
    let logger: Logger

    func run() async throws {
        try await channel.executeThenClose { inbound, outbound in
            let (sends, sink) = AsyncStream.makeStream(of: [OutgoingDatagram].self)
            sink.yield(try await runtime.start())
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await sendLoop(sends, outbound) }
                group.addTask { try await receiveLoop(inbound, sink) }
                group.addTask { try await timerLoop(sink) }
                try? await gracefulShutdown()
                logger.info("leaving the cluster")
                sink.yield(try await runtime.leave())
                try? await Task.sleep(for: leaveGrace)
                sink.finish()
                group.cancelAll()
            }
        }
    }

    private func sendLoop(_ sends: AsyncStream<[OutgoingDatagram]>, _ outbound: NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>) async throws {
        for await batch in sends {
            for datagram in batch {
                do {
                    let envelope = AddressedEnvelope(
                        remoteAddress: try datagram.address.socketAddress, data: ByteBuffer(bytes: datagram.bytes))
                    try await outbound.write(envelope)
                } catch {
                    // One unreachable peer must not stop gossip to the others.
                    logger.debug("send failed", metadata: ["to": "\(datagram.address)", "error": "\(error)"])
                }
            }
        }
    }

    private func receiveLoop(_ inbound: NIOAsyncChannelInboundStream<AddressedEnvelope<ByteBuffer>>,
                             _ sink: AsyncStream<[OutgoingDatagram]>.Continuation) async throws {
        for try await envelope in inbound {
            guard let source = PeerAddress(envelope.remoteAddress) else { continue }
            sink.yield(try await runtime.receive(Array(buffer: envelope.data), from: source))
        }
    }

    private func timerLoop(_ sink: AsyncStream<[OutgoingDatagram]>.Continuation) async throws {
        while !Task.isCancelled {
            let wait = min(await runtime.timeUntilNextWakeup(), maxTimerSleep)
            if wait > .zero { try await Task.sleep(for: wait) }
            sink.yield(try await runtime.tick())
        }
    }

    /// Binds the gossip socket. The receive buffer is larger than any accepted datagram so that an
    /// oversized one is seen whole, and rejected, rather than silently truncated into a valid size.
    static func bind(_ address: HostPort, group: any EventLoopGroup) async throws -> Channel {
        try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 2048))
            .bind(host: address.host, port: address.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Channel(wrappingChannelSynchronously: channel)
                }
            }
    }
}
