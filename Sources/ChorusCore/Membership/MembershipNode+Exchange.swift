import ChorusWire
import HashTreeCollections

/// Protocol 3 binds every datagram to its recipient and to the process of its sender that
/// wrote it (`Exchange`), so a capture is useless on another path or after its sender restarted
/// (docs/wire-format.md, "Freshness").
extension MembershipNode {
    /// A datagram to `peer` (nil: whoever is at the address, i.e. a seed), within `maxSize`.
    func newDatagram(to peer: NodeID?, maxSize: Int) -> DatagramBuilder {
        DatagramBuilder(clusterID: clusterID, sender: id, maxSize: maxSize,
                        exchange: Exchange(recipient: peer, epoch: processEpoch))
    }

    /// Why a datagram is refused for its exchange, or nil. Checked before any signature: the
    /// fields are signed, so a forger who alters them only gets its own datagram refused.
    /// A datagram without an exchange comes from an agent before protocol 3 (or one rolled
    /// back to it); what such a capture can do is bounded by the per-record rules.
    func exchangeRefusal(_ exchange: Exchange?, from sender: NodeID) -> RejectReason? {
        guard let exchange else { return nil }
        guard exchange.isFor(id) else { return .misdirected }
        if let held = members[sender]?.processEpoch, exchange.epoch < held { return .replay }
        return nil
    }

    /// After the sender's signature verified: from now on its earlier processes are replays.
    /// Only a verified datagram moves the epoch, so a forged one cannot lock the sender out.
    mutating func noteProcessEpoch(_ exchange: Exchange?, of sender: NodeID) {
        guard let epoch = exchange?.epoch, let held = members[sender]?.processEpoch, epoch > held else { return }
        members[sender]?.processEpoch = epoch
    }
}
