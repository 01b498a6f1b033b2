import ChorusCore
import ChorusWire

/// Hostile input an attacker on the network can produce (SPEC §11.8). Each kind is delivered
/// to one host; the run fails if any of them changes that host's view of the cluster.
public enum Forgery: String, Sendable, CaseIterable {
    /// Random bytes.
    case garbage
    /// A real datagram to the target with one byte changed in flight.
    case tampered
    /// A well-formed datagram signed by a key certified by another authority, declaring a
    /// member dead.
    case outsider
    /// A member relays another member's heartbeat with the version altered, keeping the
    /// original signature.
    case alteredRelay = "altered-relay"
    /// A datagram the target already handled, delivered again.
    case replay
}

extension SimulatedCluster {
    /// Builds `forgery` aimed at `target` and queues it; false when the run has nothing to
    /// build it from yet (no datagram delivered to the target, fewer than three nodes).
    @discardableResult
    public mutating func inject(_ forgery: Forgery, to target: Int) -> Bool {
        guard let bytes = forge(forgery, to: target) else { return false }
        inject(bytes, to: target)
        return true
    }

    private mutating func forge(_ forgery: Forgery, to target: Int) -> [UInt8]? {
        let clusterID = Array(identities.authorityKey.prefix(8))
        switch forgery {
        case .garbage:
            let count = Int(random.next(upperBound: UInt64(1500)))
            return (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        case .tampered:
            guard var bytes = lastDelivery(to: target), !bytes.isEmpty else { return nil }
            let position = Int(random.next(upperBound: UInt64(bytes.count)))
            bytes[position] ^= UInt8(1 + random.next(upperBound: UInt64(255)))
            return bytes
        case .replay:
            return lastDelivery(to: target)
        case .outsider:
            let outsider = identities.outsider()
            let victim = otherThan(target)
            let death = SignedStatement.sign(
                kind: .dead, body: Accusation(subject: nodeID(of: victim), incarnation: .max).encoded,
                clusterID: clusterID, signer: outsider.signer)
            return datagram(from: outsider, clusterID: clusterID, records: [
                Record(type: RecordType.certificate.rawValue, value: outsider.certificate.encoded), death.record,
            ])
        case .alteredRelay:
            let relay = otherThan(target)
            let origin = otherThan(target, relay)
            guard relay != origin, let statement = heartbeatStatement(of: origin) else { return nil }
            guard var heartbeat = try? Heartbeat.decode(statement.body) else { return nil }
            heartbeat.appVersion = "6.6.6"
            heartbeat.sequence += 1
            let altered = SignedStatement(kind: statement.kind, origin: statement.origin, body: heartbeat.encoded,
                                          signature: statement.signature)
            return datagram(from: hosts[relay].identity, clusterID: clusterID, records: [altered.record])
        }
    }

    private func datagram(from identity: SimulatedIdentity, clusterID: [UInt8], records: [Record]) -> [UInt8] {
        var builder = DatagramBuilder(clusterID: clusterID, sender: NodeID(bytes: identity.signer.publicKey)!,
                                      maxSize: settings.maxDatagramSize)
        for record in records { _ = builder.append(record) }
        return builder.finish(signer: identity.signer)
    }

    private mutating func otherThan(_ excluded: Int...) -> Int {
        let candidates = (0..<size).filter { !excluded.contains($0) }
        guard !candidates.isEmpty else { return excluded[0] }
        return candidates[Int(random.next(upperBound: UInt64(candidates.count)))]
    }

    /// The origin's current signed heartbeat, as it signs it.
    private func heartbeatStatement(of index: Int) -> SignedStatement? {
        guard let core = hosts[index].core else { return nil }
        return core.ownSignedHeartbeat
    }
}
