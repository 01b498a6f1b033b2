import ChorusWire

/// Whose datagrams carry our certificate. Every member that knows us holds it: it came with our
/// announcement, or with our record in a seed's state or an anti-entropy answer. So once our
/// announcement has had time to reach everyone, we stop attaching it, and a peer that still
/// lacks it (it missed everything, or restarted) asks for it. Before, at 10,000 nodes, nearly
/// every gossip datagram went to a peer not yet seen to hold the certificate and carried it:
/// 27% of a node's idle bytes at 10% loss, though every receiver had it.
struct CertificateCarriage {
    /// Until our certificate settles: peers known to hold it; others get it attached.
    private(set) var holders: Set<NodeID> = []
    /// Peers that asked for our certificate or may have lost it (restarted, gone): what we send
    /// them carries it until they show they hold it.
    private(set) var wanted: Set<NodeID> = []
    /// When our announcement has had time to reach everyone (`certificateSettleTime` after we
    /// joined); nil once passed. Until then everything to a peer not known to hold our
    /// certificate carries it.
    private var settlesAt: Instant?
    /// A renewed certificate is spreading: until it settles, every datagram carries it.
    private var renewalSpreads = false

    init(settlesAt: Instant?) { self.settlesAt = settlesAt }

    /// Whether a datagram to `peer` (nil: an address, not a member) should carry our certificate.
    func mayLack(_ peer: NodeID?) -> Bool {
        guard let peer, !renewalSpreads else { return true }
        if wanted.contains(peer) { return true }
        return settlesAt != nil && !holders.contains(peer)
    }

    /// Evidence: it addressed us by id, answered our probe, or got our state.
    mutating func holds(_ peer: NodeID) {
        wanted.remove(peer)
        if settlesAt != nil { holders.insert(peer) }
    }

    /// It may have restarted (a failed probe) or will come back as a new process (a tombstone).
    mutating func mayHaveLost(_ peer: NodeID) {
        holders.remove(peer)
        wanted.insert(peer)
    }

    /// It asked for our certificate.
    mutating func asked(by peer: NodeID) { wanted.insert(peer) }

    /// A new life of `peer` holds nothing its earlier life was given.
    mutating func newLife(of peer: NodeID) { holders.remove(peer) }

    mutating func forget(_ peer: NodeID) {
        holders.remove(peer)
        wanted.remove(peer)
    }

    /// We announced ourselves (joined) or a renewed certificate: attach it until `at`.
    mutating func spread(until at: Instant, renewal: Bool) {
        if renewal {
            holders.removeAll()
            renewalSpreads = true
        }
        settlesAt = at
    }

    /// Every member already holds it (a converged start from the roster).
    mutating func settle() { settlesAt = nil }

    mutating func settleIfDue(now: Instant) {
        guard let due = settlesAt, now >= due else { return }
        settlesAt = nil
        renewalSpreads = false
        holders.removeAll()
    }
}
