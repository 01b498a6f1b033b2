import ChorusWire
import HashTreeCollections

/// Our certificate on the wire: carried where a peer may lack it (`CertificateCarriage`),
/// asked for when a sender's is missing, given when asked.
extension MembershipNode {
    var ownCertificateRecord: Record { Record(type: RecordType.certificate.rawValue, value: certificate.encoded) }

    /// A datagram from `source` came without its sender's certificate, and we lack it. The
    /// request carries our own certificate (the sender may not know us either) and nothing
    /// else; at most one per gossip interval. `source` is unproven, so the request is no larger
    /// than what came from it (`ReplyAllowance`): a real ping or gossip datagram, carrying its
    /// sender's heartbeat, has room for it; a smaller one gets the request without our
    /// certificate, or nothing.
    mutating func requestCertificate(from sender: NodeID, at source: PeerAddress, now: Instant) {
        guard !isLeaving, now >= nextCertificateRequestAt else { return }
        nextCertificateRequestAt = now + settings.gossipInterval
        counters.certificateRequests += 1
        let room = min(datagramRoom, unprovenRoom(for: source) ?? .max)
        var builder = newDatagram(to: sender, maxSize: room)
        if builder.remaining >= ownCertificateRecord.encodedSize + CertificateRequest.record.encodedSize {
            builder.append(ownCertificateRecord)
        }
        guard builder.append(CertificateRequest.record) else {
            counters.repliesWithheld += 1
            return
        }
        send(builder, to: source)
    }

    /// A verified member asked: everything we send it carries our certificate from now on, and
    /// it gets our heartbeat with it at once (at most one such answer per gossip interval; the
    /// others wait for our next datagram to them). The answer goes to the address the member
    /// advertises when we know it, so a replayed request cannot aim us at someone else; a
    /// requester we do not know gets our certificate alone, as its request was no larger.
    mutating func answerCertificateRequest(from sender: NodeID, source: PeerAddress, now: Instant) {
        certificateCarriage.asked(by: sender)
        guard !isLeaving, now >= nextCertificateAnswerAt else { return }
        nextCertificateAnswerAt = now + settings.gossipInterval
        if let address = members[sender]?.heartbeat.address {
            sendGossip(to: address, peer: sender, leading: [ownStatement.record])
        } else {
            sendGossip(to: source, peer: sender, leading: [])
        }
    }
}
