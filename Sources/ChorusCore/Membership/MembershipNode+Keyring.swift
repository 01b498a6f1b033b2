import ChorusWire
import HashTreeCollections

/// The gossip keyring seen from the node (SPEC §2, Confidentiality): decided changes take
/// effect at once, and a member that slept through a rotation is re-keyed through its node key.
extension MembershipNode {
    /// The largest signed datagram that still fits `maxDatagramSize` once sealed.
    var datagramRoom: Int { settings.maxDatagramSize - sealing.overhead }

    /// The keys this node seals with and accepts now.
    public var sealingKeyring: SealingKeyring { sealing.keyring }

    mutating func refreshSealing() {
        sealing.refresh(agreed: decisions.agreed.keyring, decidedSlots: decisions.nextSlot)
    }

    /// Refuses, before any proposal, what this node can tell is wrong: installing a key on a
    /// cluster whose gossip is in the clear would send the key in the clear, in every vote.
    func keyringRejection(of command: OperatorCommand) -> String? {
        guard case .installKey = command, !sealing.keyring.isSealing else { return nil }
        return "gossip is not sealed here: give every agent a key in [gossip] keyring_file first; a key is never sent in the clear"
    }

    /// A verified member sealed with a key the cluster removed: it missed the rotation. It gets
    /// the keys in use, sealed for its node key (only it can read them) and signed by us, under
    /// the removed key it can still open, at the address it signed when we know it. At most one
    /// grant per member per `joinRetryInitial`; a removed member gets none.
    mutating func grantKeyring(to member: NodeID, source: PeerAddress, sealedWith retired: GossipKey, now: Instant) {
        guard !decisions.agreed.removed.contains(member), let cipher = sealing.cipher,
              let primary = sealing.keyring.primary else { return }
        if let last = sealing.grantsSentAt[member], now < last + settings.joinRetryInitial { return }
        if sealing.grantsSentAt.count >= VerificationBudget.maxTrackedSources {
            sealing.grantsSentAt = sealing.grantsSentAt.filter { now < $0.value + settings.joinRetryInitial }
        }
        sealing.grantsSentAt[member] = now
        let others = sealing.keyring.accepted.values.filter { $0.id != primary.id }.sorted { $0.id < $1.id }
        let grant = KeyringGrant(decidedSlots: decisions.nextSlot, keys: Array(([primary] + others).prefix(KeyringGrant.maxKeys)))
        guard let box = cipher.seal(grant.encoded, forMember: member.bytes) else { return }
        var builder = newDatagram(to: member, maxSize: settings.maxDatagramSize - SealedFrame.overhead)
        builder.append(ownCertificateRecord)
        guard builder.append(Record(type: RecordType.keyringGrant.rawValue, value: box)) else { return }
        counters.keyringGrantsSent += 1
        send(builder, to: members[member]?.heartbeat.address ?? source, sealedWith: retired)
    }

    /// A grant from a verified member: taken only if it is newer than our log and leaves our
    /// primary key behind; then we join again with the new keys.
    mutating func adoptKeyringGrant(_ box: [UInt8], from sender: NodeID, now: Instant) {
        guard let cipher = sealing.cipher, let payload = cipher.open(box, fromMember: sender.bytes),
              let grant = try? KeyringGrant.decode(payload) else {
            counters.reject(.badSeal)
            return
        }
        guard sealing.adopt(grant, agreed: decisions.agreed.keyring, decidedSlots: decisions.nextSlot) else { return }
        counters.keyringGrantsAdopted += 1
        hasJoined = false
        joinRetry.restart(now: now)
    }
}
