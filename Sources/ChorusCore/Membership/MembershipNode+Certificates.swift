import ChorusWire
import HashTreeCollections

/// Whose datagrams carry our certificate. Every member that knows us holds it: it came with our
/// announcement, or with our record in a seed's state or an anti-entropy answer. So once our
/// announcement has had time to reach everyone, we stop attaching it, and a peer that still
/// lacks it (it missed everything, or restarted) asks for it. Before, at 10,000 nodes, nearly
/// every gossip datagram went to a peer not yet seen to hold the certificate and carried it:
/// 27% of a node's idle bytes at 10% loss, though every receiver had it.
extension MembershipNode {
    var ownCertificateRecord: Record { Record(type: RecordType.certificate.rawValue, value: certificate.encoded) }

    /// Whether a datagram to `peer` (nil: an address, not a member) should carry our certificate.
    func peerMayLackOurCertificate(_ peer: NodeID?) -> Bool {
        guard let peer, !certificateRenewalSpreads else { return true }
        if certificateWanted.contains(peer) { return true }
        return certificateSettlesAt != nil && !certificateHolders.contains(peer)
    }

    /// Evidence: it addressed us by id, answered our probe, or got our state.
    mutating func peerHoldsOurCertificate(_ peer: NodeID) {
        certificateWanted.remove(peer)
        if certificateSettlesAt != nil { certificateHolders.insert(peer) }
    }

    /// It may have restarted (a failed probe) or will come back as a new process (a tombstone).
    mutating func peerMayHaveLostOurCertificate(_ peer: NodeID) {
        certificateHolders.remove(peer)
        certificateWanted.insert(peer)
    }

    mutating func settleCertificateIfDue(now: Instant) {
        guard let settlesAt = certificateSettlesAt, now >= settlesAt else { return }
        certificateSettlesAt = nil
        certificateRenewalSpreads = false
        certificateHolders.removeAll()
    }

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
        certificateWanted.insert(sender)
        guard !isLeaving, now >= nextCertificateAnswerAt else { return }
        nextCertificateAnswerAt = now + settings.gossipInterval
        if let address = members[sender]?.heartbeat.address {
            sendGossip(to: address, peer: sender, leading: [ownStatement.record])
        } else {
            sendGossip(to: source, peer: sender, leading: [])
        }
    }
}
