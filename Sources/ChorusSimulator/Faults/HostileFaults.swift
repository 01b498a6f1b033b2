import ChorusCore
import ChorusWire

/// What a spoofed reflection sends a node, hoping for a larger answer to an address that is
/// nobody's (SPEC §2: no datagram from an unverified source may make an agent send more bytes
/// than it received).
public enum ReflectionBait: String, Sendable, CaseIterable {
    /// A captured join request (a node's first datagram to its seeds): asks for the full state.
    case joinRequest = "join-request"
    /// A captured ping to the target: asks for an ack, which carries gossip.
    case ping
    /// A captured anti-entropy digest: asks for the members the sender lacks, and a digest back.
    case digest
    /// A fresh datagram from a key nobody knows, without its certificate: asks for a
    /// certificate request.
    case stranger
}

/// What a flood stuffs into each datagram. Each claims a member's id as its sender and carries
/// a signature that does not verify.
public enum FloodKind: String, Sendable, CaseIterable {
    /// A ping and the member's heartbeat, under a wrong signature.
    case badSignature = "bad-signature"
    /// Certificate records: garbage, and certificates issued by another authority (each costs
    /// a signature check to refuse), filling the datagram.
    case garbageCertificates = "garbage-certificates"
}

/// A lie a malicious insider signs with a roster member's own key.
public enum InsiderLie: String, Sendable, CaseIterable {
    /// "I suspect SUBJECT at incarnation 2^64-1."
    case suspect
    /// "SUBJECT is dead at incarnation 2^64-1."
    case dead
    /// The insider's own heartbeat at incarnation and sequence 2^64-1.
    case heartbeat
    /// SUBJECT's first heartbeat of its current life, relayed again (a stale state).
    case stale
    /// Paxos phase 1a at slot 2^64-2 with ballot round 2^32-1.
    case prepare
    /// Paxos phase 2a at slot 2^64-2, ballot round 2^32-1, starting an upgrade.
    case accept
    /// Paxos phase 2a granting the insider the task lease at term 2^32-1 for 2^32-1 ms, in the
    /// target's next slot.
    case lease
    /// "Send me every decision from slot 2^64-1 on."
    case catchUp = "catch-up"

    /// Lies about another member.
    public var needsSubject: Bool { self == .suspect || self == .dead || self == .stale }
}

extension SimulatedCluster {
    /// Where replayed acks claim to come from: not the node that signed them.
    static let replayAddress = PeerAddress(ipv4: 192, 0, 2, 77, port: 7720)

    public var isTapped: Bool { tap != nil }

    /// Bytes each host received from and sent to each spoofed address (empty without a tap).
    public func reflections(of host: Int) -> [(address: PeerAddress, received: UInt64, sent: UInt64)] {
        (tap?.reflections[host] ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value.received, $0.value.sent) }
    }

    mutating func tapSend(_ bytes: [UInt8], from sender: Int, to target: Int) {
        tap?.noteSent(bytes, from: sender, to: target)
        // A probe of a watched host that is down is answered at once with an ack it sent
        // before it died, on another path, for the same sequence.
        guard let tap, tap.ackSenders.contains(target), !hosts[target].isUp else { return }
        for answer in tap.capturedAnswers(to: bytes, target: target, targetID: hosts[target].id) {
            inject(answer, to: sender, input: HostileInput(source: Self.replayAddress, integrity: .checkedIfHandled),
                   after: .milliseconds(1))
        }
    }

    /// From now on, keep every ack these hosts send; while one of them is down, answer each
    /// ping to it with its own captured ack of the same sequence (SWIM acks carry only the
    /// sequence, and sequences restart at every boot and run alike on every node).
    public mutating func replayAcks(of nodes: [Int]) {
        tap?.ackSenders.formUnion(nodes)
    }

    /// The datagrams `sender` sent `receiver` among the last captured (a tapped cluster), oldest first.
    public func captures(from sender: Int, to receiver: Int) -> [[UInt8]] {
        (tap?.recent ?? []).filter { $0.from == sender && $0.to == receiver }.map(\.bytes)
    }

    /// Delivers captured `bytes` to `target` as if `source` sent them, from its address: a
    /// replay on the path it was captured on, or on another; nothing in it may change the view.
    public mutating func replay(_ bytes: [UInt8], to target: Int, asFrom source: Int) {
        inject(bytes, to: target, input: HostileInput(source: hosts[source].address, integrity: .checked))
    }

    /// What `index` last stored as a Paxos acceptor (its promise and vote in the open slot).
    public func acceptorState(of index: Int) -> AcceptorState? { hosts[index].durable.decisions.acceptor }

    /// Re-sends a captured datagram on another path: the newest `origin` sent to anyone but
    /// `target` (nil: a random one of the last captured), delivered to `target` as if from
    /// `source` (nil: a spoofed address). False when nothing fits was captured.
    @discardableResult
    public mutating func replayCaptured(from origin: Int?, to target: Int, source: Int?) -> Bool {
        guard var tap else { return false }
        let candidates = tap.recent.filter { ($0.from == origin || origin == nil) && $0.to != target && $0.from != target }
        guard !candidates.isEmpty else { return false }
        let capture = origin == nil
            ? candidates[Int(random.next(upperBound: UInt64(candidates.count)))] : candidates[candidates.count - 1]
        let address = source.map { hosts[$0].address } ?? tap.spoofedAddress(2)
        self.tap = tap
        // Addressed to someone else, it must change nothing; addressed to anyone (a join
        // request to a seed), only a copy of what the target handled must not.
        let integrity: HostileInput.Integrity = tap.isAddressed(capture.bytes, elsewhereThan: hosts[target].id)
            ? .checked : .checkedIfHandled
        inject(capture.bytes, to: target, input: HostileInput(source: address, integrity: integrity))
        return true
    }

    /// Sends `target` a datagram from a spoofed address that belongs to no node; the tap then
    /// counts what `target` sends that address. False when no bait of that kind was captured.
    @discardableResult
    public mutating func reflect(_ bait: ReflectionBait, at target: Int) -> Bool {
        guard var tap else { return false }
        let source = tap.spoofedAddress(1)
        self.tap = tap
        let bytes: [UInt8]
        var integrity = HostileInput.Integrity.checkedIfHandled
        switch bait {
        case .joinRequest:
            guard let capture = tap.lastCapture(carrying: .joinRequest, notFrom: target) else { return false }
            bytes = capture.bytes
        case .ping:
            // A ping names its target: only one captured on its way to `target` is answered.
            guard let capture = tap.recent.last(where: { $0.to == target && carries(RecordType.ping, $0.bytes) })
            else { return false }
            bytes = capture.bytes
        case .digest:
            guard let capture = tap.lastCapture(carrying: .digest, notFrom: target) else { return false }
            bytes = capture.bytes
        case .stranger:
            let stranger = identities.outsider()
            var builder = DatagramBuilder(clusterID: clusterID, sender: NodeID(bytes: stranger.signer.publicKey)!,
                                          maxSize: settings.maxDatagramSize)
            builder.append(Ping(sequence: 1, target: hosts[target].id, nonce: random.next()).record)
            bytes = builder.finish(signer: stranger.signer)
            integrity = .checked
        }
        inject(bytes, to: target, input: HostileInput(source: source, integrity: integrity))
        return true
    }

    /// `count` datagrams at `target` within `duration`, all from one spoofed address, each
    /// claiming `member`'s id as its sender and failing its signature check.
    public mutating func flood(_ kind: FloodKind, at target: Int, as member: Int, count: Int, over duration: Duration) {
        let source = tap?.spoofedAddress(9) ?? Self.hostileAddress
        let forger = identities.outsider()
        let spacing = count > 1 ? duration / (count - 1) : .zero
        for n in 0..<count {
            var builder = DatagramBuilder(clusterID: clusterID, sender: hosts[member].id, maxSize: settings.maxDatagramSize)
            switch kind {
            case .badSignature:
                builder.append(Ping(sequence: UInt32(truncatingIfNeeded: random.next()), target: hosts[target].id,
                                    nonce: random.next()).record)
                if let heartbeat = hosts[member].core?.ownSignedHeartbeat { builder.append(heartbeat.record) }
            case .garbageCertificates:
                var stuffed = true
                var foreign = false
                while stuffed {
                    foreign.toggle()
                    let value = foreign ? forger.certificate.encoded
                        : (0..<120).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                    stuffed = builder.append(Record(type: RecordType.certificate.rawValue, value: value))
                }
            }
            // Signed, but by a key that is not the member's: the signature does not verify.
            inject(builder.finish(signer: forger.signer), to: target,
                   input: HostileInput(source: source, integrity: .checked), after: spacing * n)
        }
    }

    /// `insider` (a roster member whose key the attacker holds) tells each target `lie`, in a
    /// datagram it signs, from its own address. False when the lie needs material the run
    /// does not have (a subject that never booted). `atCurrentIncarnation`: a suspect or dead
    /// accusation at the subject's current incarnation instead of 2^64-1 (within any bound).
    @discardableResult
    public mutating func lie(_ lie: InsiderLie, by insider: Int, about subject: Int?, to targets: [Int],
                             atCurrentIncarnation: Bool = false) -> Bool {
        let signer = hosts[insider].identity.signer
        let insiderID = hosts[insider].id
        var integrity = HostileInput.Integrity.unchecked
        let record: Record
        switch lie {
        case .suspect, .dead:
            guard let subject else { return false }
            let incarnation = atCurrentIncarnation ? hosts[subject].durable.incarnation : .max
            let accusation = Accusation(subject: hosts[subject].id, incarnation: incarnation)
            record = SignedStatement.sign(kind: lie == .suspect ? .suspect : .dead, body: accusation.encoded,
                                          clusterID: clusterID, signer: signer).record
        case .heartbeat:
            let heartbeat = Heartbeat(incarnation: .max, sequence: .max, address: hosts[insider].address,
                                      appVersion: hosts[insider].appVersion, protocolVersion: MembershipNode.protocolVersion,
                                      serving: 0, decisionsDigest: [UInt8](repeating: 0, count: 8))
            record = SignedStatement.sign(kind: .heartbeat, body: heartbeat.encoded, clusterID: clusterID, signer: signer).record
        case .stale:
            guard let subject, let stale = hosts[subject].firstHeartbeat,
                  let incarnation = try? Heartbeat.decode(stale.body).incarnation else { return false }
            record = stale.record
            // Stale only where the target already holds a later life of the subject: elsewhere
            // (a target that never heard of it, or a subject that never rebooted) it may be news.
            integrity = .checkedWhereSuperseded(subject: subject, incarnation: incarnation)
        case .prepare:
            record = QuorumMessage.prepare(slot: .max - 1, ballot: Ballot(round: .max, proposer: insiderID)).record
            integrity = .checked
        case .accept:
            record = QuorumMessage.accept(slot: .max - 1, ballot: Ballot(round: .max, proposer: insiderID),
                                          value: .startUpgrade).record
            integrity = .checked
        case .lease:
            let slot = targets.first.flatMap { hosts[$0].core?.decisions.nextSlot } ?? 0
            record = QuorumMessage.accept(slot: slot, ballot: Ballot(round: .max, proposer: insiderID),
                                          value: .grantLease(runner: insiderID, term: .max, durationMilliseconds: .max)).record
            integrity = .checked
        case .catchUp:
            record = QuorumMessage.catchUp(fromSlot: .max).record
            integrity = .checked
        }
        var builder = DatagramBuilder(clusterID: clusterID, sender: insiderID, maxSize: settings.maxDatagramSize)
        builder.append(Record(type: RecordType.certificate.rawValue, value: hosts[insider].identity.certificate.encoded))
        builder.append(record)
        let bytes = builder.finish(signer: signer)
        for target in targets where target != insider {
            var checked = integrity
            if case .checkedWhereSuperseded(let subject, let incarnation) = integrity {
                checked = (view(of: subject, seenBy: target)?.incarnation ?? 0) > incarnation ? .checked : .unchecked
            }
            inject(bytes, to: target, input: HostileInput(source: hosts[insider].address, integrity: checked))
        }
        return true
    }

    var clusterID: [UInt8] { Array(identities.authorityKey.prefix(8)) }

    private func carries(_ type: RecordType, _ bytes: [UInt8]) -> Bool {
        guard let datagram = try? Datagram.decode(bytes, expectedCluster: clusterID, maxSize: settings.maxDatagramSize)
        else { return false }
        return datagram.records.contains { $0.type == type.rawValue }
    }
}
