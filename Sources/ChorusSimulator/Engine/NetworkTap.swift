import ChorusCore
import ChorusWire

/// What an attacker on the path sees and keeps: datagrams captured in flight (for replays on
/// other paths), acks by sender and sequence (to answer probes of a dead node), the bytes each
/// host handled (a replay of those is one it could recognise), and the bytes that went to and
/// came from spoofed addresses (SPEC §2: no amplification). Off until a hostile fault needs it,
/// so ordinary runs pay nothing; it draws no randomness, so turning it on changes no run.
struct NetworkTap: Sendable {
    /// One datagram as it crossed the network.
    struct Capture: Sendable {
        let from: Int
        let to: Int
        let bytes: [UInt8]
    }

    /// Bytes one host received from one spoofed address, and sent to it.
    struct Reflection: Sendable, Equatable {
        var received: UInt64 = 0
        var sent: UInt64 = 0
    }

    static let recentCapacity = 256
    /// Acks kept per watched sender: the newest answer for each sequence.
    static let acksPerSender = 8_192

    let clusterID: [UInt8]
    let maxSize: Int
    /// The last datagrams sent, oldest first.
    private(set) var recent: [Capture] = []
    /// Per record type and sender, the last datagram that carried it, with its place in the
    /// order of sends (join requests are sent only at boot).
    private var lastCarrying: [UInt8: [Int: (serial: UInt64, capture: Capture)]] = [:]
    private var sends: UInt64 = 0
    /// Hosts whose acks are kept, by sequence, and whose probes are answered with them while the
    /// host is down.
    var ackSenders: Set<Int> = []
    private(set) var acks: [Int: [UInt32: [UInt8]]] = [:]
    /// Per host, the hashes of the genuine datagrams its current process handled.
    private var handled: [Int: Set<UInt64>] = [:]
    /// Per host, per spoofed address.
    private(set) var reflections: [Int: [PeerAddress: Reflection]] = [:]
    private(set) var spoofed: Set<PeerAddress> = []

    init(clusterID: [UInt8], maxSize: Int) {
        self.clusterID = clusterID
        self.maxSize = maxSize
    }

    /// A source address that belongs to no node: `198.51.100.n` (TEST-NET-2).
    mutating func spoofedAddress(_ n: UInt8) -> PeerAddress {
        let address = PeerAddress(ipv4: 198, 51, 100, n, port: 7720)
        spoofed.insert(address)
        return address
    }

    func isSpoofed(_ address: PeerAddress) -> Bool { spoofed.contains(address) }

    mutating func noteSent(_ bytes: [UInt8], from: Int, to: Int) {
        let capture = Capture(from: from, to: to, bytes: bytes)
        if recent.count == Self.recentCapacity { recent.removeFirst() }
        recent.append(capture)
        sends += 1
        guard let datagram = try? Datagram.decode(bytes, expectedCluster: clusterID, maxSize: maxSize) else { return }
        for type in Set(datagram.records.map(\.type)) { lastCarrying[type, default: [:]][from] = (sends, capture) }
        guard ackSenders.contains(from) else { return }
        for record in datagram.records where record.type == RecordType.ack.rawValue {
            guard let ack = try? ProbeReply.decode(record.value) else { continue }
            if acks[from, default: [:]].count < Self.acksPerSender || acks[from]?[ack.sequence] != nil {
                acks[from, default: [:]][ack.sequence] = bytes
            }
        }
    }

    /// The newest captured datagram carrying a record of `type` that `excluded` did not send.
    func lastCapture(carrying type: RecordType, notFrom excluded: Int) -> Capture? {
        lastCarrying[type.rawValue]?.filter { $0.key != excluded }.max { $0.value.serial < $1.value.serial }?.value.capture
    }

    /// The pings in `bytes` aimed at `target`, each answered by an ack `target` sent earlier
    /// with the same sequence, if one was captured.
    func capturedAnswers(to bytes: [UInt8], target: Int, targetID: NodeID) -> [[UInt8]] {
        guard let held = acks[target], !held.isEmpty,
              let datagram = try? Datagram.decode(bytes, expectedCluster: clusterID, maxSize: maxSize) else { return [] }
        return datagram.records.compactMap { record in
            guard record.type == RecordType.ping.rawValue, let ping = try? Ping.decode(record.value),
                  ping.target == targetID else { return nil }
            return held[ping.sequence]
        }
    }

    /// Whether `bytes` is addressed (protocol 3's exchange) to a node other than `host`: there
    /// it is a replay the host must refuse whatever it handled before.
    func isAddressed(_ bytes: [UInt8], elsewhereThan host: NodeID) -> Bool {
        guard let datagram = try? Datagram.decode(bytes, expectedCluster: clusterID, maxSize: maxSize),
              let exchange = try? datagram.exchange() else { return false }
        return !exchange.isFor(host)
    }

    mutating func noteHandled(_ bytes: [UInt8], by host: Int) { handled[host, default: []].insert(Self.hash(bytes)) }

    func hasHandled(_ bytes: [UInt8], host: Int) -> Bool { handled[host]?.contains(Self.hash(bytes)) ?? false }

    /// The host's process is gone, and with it any memory of what it handled.
    mutating func forget(host: Int) { handled[host] = nil }

    mutating func noteReceived(_ count: Int, by host: Int, from address: PeerAddress) {
        reflections[host, default: [:]][address, default: Reflection()].received += UInt64(count)
    }

    mutating func noteSent(_ count: Int, by host: Int, to address: PeerAddress) {
        reflections[host, default: [:]][address, default: Reflection()].sent += UInt64(count)
    }

    /// FNV-1a: a stable 64-bit hash (Swift's `Hasher` is seeded per process).
    static func hash(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01B3
        }
        return hash
    }
}

/// How hostile bytes reach a host: where they claim to come from, and whether they must leave
/// its view of the cluster unchanged (SPEC §11.8).
struct HostileInput: Sendable {
    enum Integrity: Sendable {
        /// Forgeries, floods, stale replays: nothing in them may change the view.
        case checked
        /// A captured datagram delivered elsewhere: checked only if this process handled the
        /// same bytes already (then it is a replay it must recognise); otherwise it is late
        /// genuine news, which may change the view.
        case checkedIfHandled
        /// An insider's validly signed statements: the other invariants judge what they cause.
        case unchecked
        /// Resolved when injected, per target: `checked` where the target sees `subject` at a
        /// higher incarnation than the statement's, else `unchecked`.
        case checkedWhereSuperseded(subject: Int, incarnation: UInt64)
    }

    let source: PeerAddress
    let integrity: Integrity
}
