import ChorusWire
import HashTreeCollections

/// What `replaceCertificate` did with a certificate the shell reloaded.
public enum CertificateReplacement: Sendable, Equatable {
    /// In use from now on; the one it replaced expired at `previousExpiresAt` (Unix seconds).
    case replaced(previousExpiresAt: UInt64)
    /// The certificate in use already.
    case unchanged
    /// Not taken; the reason names what is wrong with it. The node goes on with the old one.
    case refused(String)
}

/// Certificate renewal without a restart (SPEC §2, Certificate lifecycle).
///
/// The renewing node takes a fresh certificate for its own key and spreads it: its heartbeat
/// goes out with it as news, and every datagram it sends carries it until the announcement has
/// had time to reach everyone (`certificateSettleTime`), as after a join. A peer takes the
/// renewal for a key it knows only when the cluster authority signed it and it expires later
/// than the one it holds (`TrustStore.admit`): a replayed older certificate or a forged one
/// changes nothing, and a certificate for another key is another node. The peer's member entry
/// follows its trust store, and it gossips the renewal on with the member's heartbeat.
extension MembershipNode {
    /// Puts `renewed` in place of this node's certificate: the same name and key, signed by the
    /// cluster authority, valid at `unixSeconds` and expiring later than the one in use.
    /// Anything else is refused and changes nothing. Effects: none at once; the renewal goes
    /// out with the next gossip round and with every datagram after it.
    public mutating func replaceCertificate(_ renewed: Certificate, now: Instant,
                                            unixSeconds: UInt64) -> (CertificateReplacement, [MembershipEffect]) {
        self.unixSeconds = unixSeconds
        advanceClock(now)
        if let refusal = renewalRefusal(renewed, unixSeconds: unixSeconds) { return (refusal, takeEffects()) }
        let previous = certificate.expiresAt
        certificate = renewed
        _ = trust.admit(renewed, unixSeconds: unixSeconds)
        certificateCarriage.spread(until: now + settings.certificateSettleTime, renewal: true)
        refreshHeartbeat()
        broadcasts.enqueue(.about(id), records: [ownCertificateRecord, ownStatement.record])
        return (.replaced(previousExpiresAt: previous), takeEffects())
    }

    private func renewalRefusal(_ renewed: Certificate, unixSeconds: UInt64) -> CertificateReplacement? {
        if renewed == certificate { return .unchanged }
        guard renewed.nodeID == id else {
            return .refused("it certifies another key than this node's (node.key in the data directory)")
        }
        guard renewed.name == certificate.name else {
            return .refused("it names \"\(renewed.name)\", this node is \"\(certificate.name)\" (a new name needs a restart)")
        }
        guard renewed.isValid(authorityKey: trust.authorityKey, unixSeconds: unixSeconds, scheme: trust.scheme) else {
            return .refused("it is expired or not signed by the cluster authority")
        }
        guard renewed.expiresAt > certificate.expiresAt else {
            return .refused("it expires no later than the certificate in use, which every member would keep")
        }
        return nil
    }

    /// The trust store holds a later certificate for a known member than its entry (a renewal
    /// arrived): the entry takes it, the change is an update, and the member's heartbeat is
    /// gossiped on with it, so members that have not heard of the renewal yet can verify it.
    mutating func adoptRenewedCertificate(_ latest: Certificate, of origin: NodeID) {
        guard var member = members[origin], member.certificate != latest,
              latest.expiresAt > member.certificate.expiresAt else { return }
        member.certificate = latest
        store(member)
        broadcastHeartbeat(of: origin, withCertificate: true)
        emit(.memberUpdate, origin)
    }
}
