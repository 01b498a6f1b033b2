import ChorusCore
import ChorusWire

/// A node's identity as the simulator needs it: a signer and the certificate for its key.
public struct SimulatedIdentity: Sendable {
    public var signer: any MessageSigner
    public var certificate: Certificate

    public init(signer: any MessageSigner, certificate: Certificate) {
        self.signer = signer
        self.certificate = certificate
    }
}

/// N membership cores in one process on a virtual clock and a seeded network. Crashes lose
/// everything but what a node persisted (its incarnation); the same seed replays the same run.
public struct SimulatedCluster: Sendable {
    public private(set) var now: Instant = .zero
    public var network: SimulatedNetwork
    public let addresses: [PeerAddress]
    /// Every membership event any node emitted, with when and where.
    public private(set) var events: [(at: Instant, node: Int, event: MembershipEvent)] = []

    private var nodes: [MembershipNode?]
    private var persistedIncarnations: [UInt64]
    private let identities: [SimulatedIdentity]
    private let authorityKey: [UInt8]
    private let scheme: any SignatureScheme
    private let settings: MembershipSettings
    private let seed: UInt64
    private let unixEpoch: UInt64
    private var inFlight = EventQueue<Delivery>()
    private var restarts = 0

    private struct Delivery: Sendable {
        let bytes: [UInt8]
        let from: PeerAddress
        let to: Int
    }

    /// Starts every node; node 0 is the seed the others join through.
    public init(identities: [SimulatedIdentity], authorityKey: [UInt8], scheme: any SignatureScheme,
                settings: MembershipSettings, seed: UInt64, unixEpoch: UInt64 = 1_800_000_000) {
        self.identities = identities
        self.authorityKey = authorityKey
        self.scheme = scheme
        self.settings = settings
        self.seed = seed
        self.unixEpoch = unixEpoch
        network = SimulatedNetwork(seed: seed)
        addresses = identities.indices.map { PeerAddress(ipv4: 10, 0, UInt8($0 / 256), UInt8($0 % 256), port: 7720) }
        nodes = Array(repeating: nil, count: identities.count)
        persistedIncarnations = Array(repeating: 0, count: identities.count)
        for index in identities.indices { boot(index) }
    }

    public var size: Int { nodes.count }
    public func isRunning(_ index: Int) -> Bool { nodes[index] != nil }

    /// What `observer` believes about `subject` (nil: unknown to it, or the observer is down).
    public func status(of subject: Int, seenBy observer: Int) -> MemberStatus? {
        guard let node = nodes[observer] else { return nil }
        let subjectID = NodeID(bytes: identities[subject].signer.publicKey)!
        return node.memberSnapshots.first { $0.id == subjectID }?.status
    }

    public func counters(of index: Int) -> CoreCounters? { nodes[index]?.counters }

    /// Sudden death: the process and everything in memory is gone.
    public mutating func crash(_ index: Int) { nodes[index] = nil }

    /// Boots a crashed node again from what it persisted.
    public mutating func restart(_ index: Int) {
        precondition(nodes[index] == nil, "node \(index) is running")
        restarts += 1
        boot(index)
    }

    public mutating func leave(_ index: Int) {
        guard var node = nodes[index] else { return }
        let effects = node.leave(now: now)
        nodes[index] = node
        apply(effects, from: index)
    }

    /// Advances virtual time, delivering datagrams and firing timers in time order.
    public mutating func run(for duration: Duration) {
        let end = now + duration
        while true {
            let nextDelivery = inFlight.nextTime ?? end
            let (wakeNode, wakeAt) = earliestWakeup()
            let next = min(nextDelivery, wakeAt, end)
            if next >= end, nextDelivery >= end, wakeAt >= end { break }
            now = max(now, next)
            if nextDelivery <= wakeAt, let delivery = inFlight.pop()?.item {
                deliver(delivery)
            } else if let wakeNode {
                tick(wakeNode)
            }
        }
        now = end
    }

    private func earliestWakeup() -> (Int?, Instant) {
        var best: (Int?, Instant) = (nil, Instant(nanoseconds: .max))
        for (index, node) in nodes.enumerated() {
            guard let wake = node?.nextWakeup else { continue }
            // Never earlier than now: a wakeup in the past fires now.
            let at = max(wake, now)
            if at < best.1 { best = (index, at) }
        }
        return best
    }

    private mutating func boot(_ index: Int) {
        let configuration = MembershipConfiguration(
            signer: identities[index].signer, certificate: identities[index].certificate, authorityKey: authorityKey,
            scheme: scheme, settings: settings, advertiseAddress: addresses[index], appVersion: "1.0.0",
            seeds: index == 0 ? [] : [addresses[0]], restoredIncarnation: persistedIncarnations[index],
            randomSeed: seed &* 1_000_003 &+ UInt64(index) &+ UInt64(restarts) << 32)
        var node = MembershipNode(configuration: configuration, now: now, unixSeconds: unixSeconds)
        let effects = node.start(now: now)
        nodes[index] = node
        apply(effects, from: index)
    }

    private var unixSeconds: UInt64 { unixEpoch + UInt64(max(0, now.nanoseconds) / 1_000_000_000) }

    private mutating func tick(_ index: Int) {
        guard var node = nodes[index] else { return }
        let effects = node.tick(now: now, unixSeconds: unixSeconds)
        nodes[index] = node
        apply(effects, from: index)
    }

    private mutating func deliver(_ delivery: Delivery) {
        guard var node = nodes[delivery.to] else { return }
        let effects = node.receive(delivery.bytes, from: delivery.from, now: now)
        nodes[delivery.to] = node
        apply(effects, from: delivery.to)
    }

    private mutating func apply(_ effects: [MembershipEffect], from index: Int) {
        for effect in effects {
            switch effect {
            case .persistIncarnation(let incarnation):
                persistedIncarnations[index] = incarnation
            case .send(let bytes, let address):
                guard let target = addresses.firstIndex(of: address),
                      let at = network.deliveryTime(from: addresses[index], to: address, sentAt: now) else { continue }
                inFlight.push(Delivery(bytes: bytes, from: addresses[index], to: target), at: at)
            case .event(let event):
                events.append((now, index, event))
            }
        }
    }
}
