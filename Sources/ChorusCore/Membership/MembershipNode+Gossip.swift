import ChorusWire

/// Dissemination: every datagram carries queued statements in its spare room, and a gossip
/// round sends them to a few random members when there is news.
extension MembershipNode {
    /// Each broadcast is sent `retransmitMultiplier * ceil(log10(N + 1))` times.
    var retransmitLimit: Int { settings.retransmitLimit(clusterSize: clusterSize) }

    /// Sends `leading` records to `address`, adding our certificate if `peer` may lack it and
    /// filling the rest of the datagram with queued broadcasts.
    mutating func sendGossip(to address: PeerAddress, peer: NodeID?, leading: [Record]) {
        var builder = DatagramBuilder(clusterID: clusterID, sender: id, maxSize: settings.maxDatagramSize)
        if peer.map({ !certificateHolders.contains($0) }) ?? true {
            builder.append(Record(type: RecordType.certificate.rawValue, value: certificate.encoded))
        }
        for record in leading { builder.append(record) }
        broadcasts.fill(&builder, limit: retransmitLimit)
        send(builder, to: address)
    }

    mutating func send(_ builder: DatagramBuilder, to address: PeerAddress) {
        let bytes = builder.finish(signer: signer)
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

    /// Queues a member's heartbeat with its certificate, so nodes that never met it can verify it.
    mutating func broadcastHeartbeat(of memberID: NodeID) {
        guard let member = members[memberID] else { return }
        broadcasts.enqueue(.about(memberID), records: [
            Record(type: RecordType.certificate.rawValue, value: member.certificate.encoded),
            member.heartbeatRecord,
        ])
    }

    mutating func broadcastOwnHeartbeat() {
        broadcasts.enqueue(.about(id), records: [
            Record(type: RecordType.certificate.rawValue, value: certificate.encoded), ownStatement.record,
        ])
    }
}
