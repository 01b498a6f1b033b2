import ChorusWire
import HashTreeCollections

/// Dissemination: every datagram carries queued statements in its spare room, and a gossip
/// round sends them to a few random members when there is news.
extension MembershipNode {
    /// Each broadcast is sent `retransmitMultiplier * ceil(log10(N + 1))` times.
    var retransmitLimit: Int { settings.retransmitLimit(clusterSize: clusterSize) }

    /// Sends `leading` records to `address`, adding our certificate if `peer` may lack it and
    /// filling the rest of the datagram with queued broadcasts.
    /// An answer to an unproven source is cut to what it may still receive (`ReplyAllowance`):
    /// leading records that do not fit mean nothing is sent.
    /// `paddedTo` pads what room is left up to that size (`RecordType.padding`).
    mutating func sendGossip(to address: PeerAddress, peer: NodeID?, leading: [Record], paddedTo size: Int? = nil) {
        let room = unprovenRoom(for: address)
        var builder = newDatagram(to: peer, maxSize: min(datagramRoom, room ?? .max))
        let leadingSize = leading.reduce(0) { $0 + $1.encodedSize }
        if certificateCarriage.mayLack(peer), builder.remaining >= ownCertificateRecord.encodedSize + leadingSize {
            builder.append(ownCertificateRecord)
        }
        for record in leading {
            guard builder.append(record) else {
                counters.repliesWithheld += 1
                return
            }
        }
        broadcasts.fill(&builder, limit: retransmitLimit)
        if let size { builder.pad(to: size) }
        send(builder, to: address)
    }

    /// The bytes still allowed to `address` when it is the unproven source of the datagram being
    /// handled; nil when sends there are not limited.
    func unprovenRoom(for address: PeerAddress) -> Int? {
        guard let allowance = replyAllowance, members[allowance.sender]?.heartbeat.address != address else { return nil }
        return allowance.room(for: address).map { max(0, $0 - sealing.overhead) }
    }

    /// Signs, seals (with the primary key, or `key`) and sends, within the reply allowance.
    mutating func send(_ builder: DatagramBuilder, to address: PeerAddress, sealedWith key: GossipKey? = nil) {
        let bytes = sealing.seal(builder.finish(signer: signer), with: key)
        if unprovenRoom(for: address) != nil {
            guard replyAllowance?.take(bytes.count, to: address) == true else {
                counters.repliesWithheld += 1
                return
            }
        }
        counters.datagramsOut += 1
        counters.bytesOut += UInt64(bytes.count)
        effects.append(.send(bytes, to: address))
    }

    mutating func gossipIfDue(now: Instant) {
        guard now >= nextGossipAt else { return }
        nextGossipAt = now + settings.gossipInterval
        guard !broadcasts.isEmpty else { return }
        for target in index.probeable.sample(settings.gossipFanout, using: &random) where !broadcasts.isEmpty {
            guard let address = members[target]?.heartbeat.address else { continue }
            sendGossip(to: address, peer: target, leading: [])
        }
    }

    /// Queues a member's heartbeat, with its certificate when receivers may not hold it yet (a
    /// newcomer, a returning or re-certified member), so nodes that never met it can verify it.
    /// A refutation or an update of a known member leaves it out: every node that knows the
    /// member has its certificate, and one that does not learns the member whole by anti-entropy.
    /// At 10% loss and 1,000 nodes refutations are most of the news, and the certificate was a
    /// third of every node's bytes.
    mutating func broadcastHeartbeat(of memberID: NodeID, withCertificate: Bool) {
        guard let member = members[memberID] else { return }
        let certificate = Record(type: RecordType.certificate.rawValue, value: member.certificate.encoded)
        broadcasts.enqueue(.about(memberID), records: withCertificate ? [certificate, member.heartbeatRecord]
                                                                      : [member.heartbeatRecord])
    }

    /// Our own heartbeat after a refutation, a drain or a leave: every receiver that knows us
    /// holds our certificate already (newcomers get it from the seeds' state and our datagrams).
    mutating func broadcastOwnHeartbeat() {
        broadcasts.enqueue(.about(id), records: [ownStatement.record])
    }
}
