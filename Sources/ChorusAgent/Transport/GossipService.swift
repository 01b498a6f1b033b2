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
    /// The socket in use now, where the send loop writes; nil while it is being bound again.
    private let socket: NIOLockedValueBox<(any NIOCore.Channel)?>
    private let quarantine = SendQuarantine()

    init(firstChannel: Channel, bindAddress: HostPort, runtime: NodeRuntime, leaveGrace: Duration, logger: Logger) {
        self.firstChannel = firstChannel
        self.bindAddress = bindAddress
        self.runtime = runtime
        self.leaveGrace = leaveGrace
        self.logger = logger
        socket = NIOLockedValueBox(firstChannel.channel)
    }

    var description: String { "GossipService(\(bindAddress))" }

    func run() async throws {
        try await runtime.start()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await superviseSocket() }
            group.addTask { await sendLoop() }
            group.addTask { try await timerLoop() }
            try? await gracefulShutdown()
            logger.info("leaving the cluster")
            try await runtime.leave()
            try? await Task.sleep(for: leaveGrace)
            group.cancelAll()
        }
    }

    /// Serves one socket until it closes, then binds a new one, until cancelled.
    private func superviseSocket() async throws {
        var channel: Channel? = firstChannel
        var backoff: Duration = .milliseconds(100)
        while !Task.isCancelled {
            if let current = channel {
                await serve(current)
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

    /// Receives on `channel`, and lets the send loop write to it, until it closes or the task is
    /// cancelled.
    private func serve(_ channel: Channel) async {
        socket.withLockedValue { $0 = channel.channel }
        defer { socket.withLockedValue { $0 = nil } }
        do {
            try await channel.executeThenClose { inbound, _ in
                for try await envelope in inbound {
                    guard let source = PeerAddress(envelope.remoteAddress) else { continue }
                    await runtime.receive(Array(buffer: envelope.data), from: source)
                }
            }
        } catch is CancellationError {
            return // a clean stop: the service group cancelled us
        } catch {
            guard !Task.isCancelled else { return }
            logger.warning("gossip socket failed", metadata: ["error": "\(error)"])
        }
    }

    /// Writes every datagram the runtime sends to the socket in use; while there is none, they
    /// are dropped (the protocol's timers retry what matters). Written through the underlying
    /// channel, whose per-write future reports the error, so the destination that closed the
    /// socket can be told apart.
    private func sendLoop() async {
        for await batch in runtime.outgoing {
            guard let socket = socket.withLockedValue({ $0 }) else { continue }
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
            await runtime.tick()
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
