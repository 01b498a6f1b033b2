import ChorusCore
import ChorusWire
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The UDP side of the agent: a timer loop and a supervised socket around the runtime.
///
/// NIO closes a datagram channel on most send errors (EPERM from a firewall, EACCES, ENETUNREACH),
/// and one unreachable peer must not silence a node: when the socket closes, it is bound again
/// on the same address and the core carries on with its state intact.
/// On graceful shutdown (SIGTERM, SIGINT) it announces a leave, lets gossip carry it for a
/// moment, then closes.
struct GossipService: Service, CustomStringConvertible {
    typealias Channel = NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>

    let firstChannel: Channel
    let bindAddress: HostPort
    let runtime: NodeRuntime
    /// How long gossip keeps running after the leave announcement.
    let leaveGrace: Duration
    let logger: Logger
    /// Where the timer loop and the receive loop hand datagrams to the socket in use now.
    private let outbox = NIOLockedValueBox<AsyncStream<[OutgoingDatagram]>.Continuation?>(nil)
    private let quarantine = SendQuarantine()

    init(firstChannel: Channel, bindAddress: HostPort, runtime: NodeRuntime, leaveGrace: Duration, logger: Logger) {
        self.firstChannel = firstChannel
        self.bindAddress = bindAddress
        self.runtime = runtime
        self.leaveGrace = leaveGrace
        self.logger = logger
    }

    var description: String { "GossipService(\(bindAddress))" }

    func run() async throws {
        await runtime.attachOutbound { [post] batch in post(batch) }
        let startup = try await runtime.start()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await superviseSocket(firstBatch: startup) }
            group.addTask { try await timerLoop() }
            try? await gracefulShutdown()
            logger.info("leaving the cluster")
            post(try await runtime.leave())
            try? await Task.sleep(for: leaveGrace)
            group.cancelAll()
        }
    }

    private func post(_ batch: [OutgoingDatagram]) {
        guard !batch.isEmpty else { return }
        _ = outbox.withLockedValue { $0?.yield(batch) }
    }

    /// Serves one socket until it closes, then binds a new one, until cancelled.
    private func superviseSocket(firstBatch: [OutgoingDatagram]) async throws {
        var channel: Channel? = firstChannel
        var pending = firstBatch
        var backoff: Duration = .milliseconds(100)
        while !Task.isCancelled {
            if let current = channel {
                await serve(current, firstBatch: pending)
                pending = []
                backoff = .milliseconds(100)
                channel = nil
                if Task.isCancelled { return }
                logger.warning("gossip socket closed; binding it again", metadata: ["address": "\(bindAddress)"])
            }
            try await Task.sleep(for: backoff)
            do {
                channel = try await Self.bind(bindAddress, group: MultiThreadedEventLoopGroup.singleton)
            } catch {
                logger.error("cannot bind the gossip socket", metadata: ["address": "\(bindAddress)", "error": "\(error)"])
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    /// Receives and sends on `channel` until it closes or the task is cancelled.
    private func serve(_ channel: Channel, firstBatch: [OutgoingDatagram]) async {
        let (sends, sink) = AsyncStream.makeStream(of: [OutgoingDatagram].self)
        sink.yield(firstBatch)
        outbox.withLockedValue { $0 = sink }
        defer {
            outbox.withLockedValue { $0 = nil }
            sink.finish()
        }
        do {
            try await channel.executeThenClose { inbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // Written through the underlying channel, whose per-write future reports the
                    // error, so the destination that closed the socket can be told apart.
                    group.addTask { await sendLoop(sends, channel.channel) }
                    for try await envelope in inbound {
                        guard let source = PeerAddress(envelope.remoteAddress) else { continue }
                        post(await runtime.receive(Array(buffer: envelope.data), from: source))
                    }
                    group.cancelAll()
                }
            }
        } catch is CancellationError {
            return // a clean stop: the service group cancelled us
        } catch {
            guard !Task.isCancelled else { return }
            logger.warning("gossip socket failed", metadata: ["error": "\(error)"])
        }
    }

    private func sendLoop(_ sends: AsyncStream<[OutgoingDatagram]>, _ socket: any NIOCore.Channel) async {
        for await batch in sends {
            for datagram in batch where !quarantine.isQuarantined(datagram.address) {
                do {
                    let envelope = AddressedEnvelope(
                        remoteAddress: try datagram.address.socketAddress, data: ByteBuffer(bytes: datagram.bytes))
                    try await socket.writeAndFlush(envelope).get()
                } catch ChannelError.ioOnClosedChannel {
                    // Dropped with the socket; the protocol's timers retry what matters.
                } catch {
                    let skipped = quarantine.quarantine(datagram.address)
                    logger.warning("send failed; skipping this address for a while", metadata: [
                        "to": "\(datagram.address)", "error": "\(error)", "for": "\(skipped)",
                    ])
                }
            }
        }
    }

    private func timerLoop() async throws {
        while !Task.isCancelled {
            // Sleeps until the core's next timer, not a fixed interval: an idle agent wakes only
            // for its probes, and a receive that queues news rings the alarm.
            let wait = await runtime.armTimer()
            if wait > .zero { await runtime.alarm.sleep(upTo: wait) }
            try Task.checkCancellation()
            post(await runtime.tick())
        }
    }

    /// Binds the gossip socket. The receive buffer is larger than any accepted datagram so that an
    /// oversized one is seen whole, and rejected, rather than silently truncated into a valid size.
    /// No `SO_REUSEADDR`: with it on both sockets, any local user could bind the same UDP port
    /// and take the node's traffic (issue 15); a UDP port has no TIME_WAIT to wait out anyway.
    static func bind(_ address: HostPort, group: any EventLoopGroup) async throws -> Channel {
        try await DatagramBootstrap(group: group)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 2048))
            .bind(host: address.host, port: address.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Channel(wrappingChannelSynchronously: channel)
                }
            }
    }
}
