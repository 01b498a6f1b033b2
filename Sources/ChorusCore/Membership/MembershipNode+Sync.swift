import ChorusWire
import HashTreeCollections

/// Joining and anti-entropy. A joiner gets the seed's full state; afterwards members compare
/// compact digests now and then and send each other only what the other lacks or has older.
/// Exchanges also go to a random tombstone: a dead member, so a healed partition merges again,
/// or one that left, so an agent restarted after leaving is found even when its seeds are down.
extension MembershipNode {
    /// Caps the members sent in answer to one digest: bounds what one datagram can make us send.
    static let maxMembersPerDigestAnswer = 256

    /// A join request is padded to this many bytes (or the datagram room, if smaller), so a
    /// seed that refuses the joiner for its name can answer why within the reply allowance:
    /// its certificate, the holder's and the holder's heartbeat (`tellRefusedNamesake`).
    static let paddedJoinSize = 1_200

    mutating func joinIfNeeded(now: Instant) {
        guard !hasJoined, joinRetry.isDue(now: now) else { return }
        for seed in seeds where seed != advertiseAddress { sendJoinRequest(to: seed) }
    }

    /// An operator asked this running agent to join through `addresses` (`chorus join`): a join
    /// request to each, now, whether or not this node has joined already. Each one that answers
    /// sends its whole view, which merges into ours as a seed's answer at start does.
    public mutating func join(through addresses: [PeerAddress], now: Instant) -> [MembershipEffect] {
        advanceClock(now)
        for address in addresses where address != advertiseAddress { sendJoinRequest(to: address) }
        return takeEffects()
    }

    private mutating func sendJoinRequest(to address: PeerAddress) {
        sendGossip(to: address, peer: nil, leading: [ownStatement.record, JoinRequest.record],
                   paddedTo: min(datagramRoom, Self.paddedJoinSize))
    }

    mutating func antiEntropyIfDue(now: Instant) {
        guard now >= nextAntiEntropyAt else { return }
        nextAntiEntropyAt = now + settings.antiEntropyInterval
        guard !isLeaving else { return }
        for set in [index.alive, index.tombstones] {
            if let peer = set.randomElement(using: &random), let member = members[peer] {
                sendDigest(to: member.heartbeat.address, peer: peer, wantsReply: true)
            }
        }
    }

    /// While members are arriving (a join storm), N is small and so is the retransmit limit, so
    /// some announcements die out; an early digest exchange repairs that in a second, not in
    /// `antiEntropyInterval`. At most one exchange per five gossip intervals.
    mutating func expediteAntiEntropy(now: Instant) {
        nextAntiEntropyAt = min(nextAntiEntropyAt, now + settings.gossipInterval * 5)
    }

    /// Sends as much of our digest as fits in one datagram, rotating through the view when it
    /// does not fit whole. Only the entries sent are built.
    private mutating func sendDigest(to address: PeerAddress, peer: NodeID, wantsReply: Bool) {
        let total = 1 + memberIDs.count
        let budget = datagramRoom - Datagram.overhead - Exchange.encodedSize - Certificate.encodedSizeBound - 3
        let capacity = Digest.capacity(budget: budget)
        let complete = total <= capacity
        let start = complete ? 0 : Int(random.next(upperBound: UInt64(total)))
        // Position 0 is this node, then members in id order (hence in id-prefix order).
        let entries = (0..<min(total, capacity)).compactMap { offset -> DigestEntry? in
            let position = (start + offset) % total
            return position == 0 ? ownDigestEntry : members[memberIDs[position - 1]]?.digestEntry
        }
        let digest = Digest(wantsReply: wantsReply, isComplete: complete, entries: entries)
        sendGossip(to: address, peer: peer, leading: [digest.record])
    }

    private var ownDigestEntry: DigestEntry {
        DigestEntry(idPrefix: id.prefix64, incarnation: incarnation, status: 0,
                    fieldsHash: ownHeartbeat.fieldsHash)
    }

    /// A complete digest is compared with our whole view (what it lacks is news to the sender);
    /// a partial one only with the members it names, found by id prefix in `memberIDs`.
    mutating func handleDigest(_ digest: Digest, sender: NodeID, source: PeerAddress) {
        var byPrefix: [UInt64: DigestEntry] = [:]
        for entry in digest.entries { byPrefix[entry.idPrefix] = entry }
        var newer: [NodeID] = []
        func compare(_ memberID: NodeID, _ ours: DigestEntry) {
            if let theirs = byPrefix[memberID.prefix64] {
                if ours.isNewer(than: theirs) { newer.append(memberID) }
            } else if digest.isComplete {
                newer.append(memberID)
            }
        }
        compare(id, ownDigestEntry)
        if digest.isComplete {
            for member in members.values { compare(member.id, member.digestEntry) }
        } else {
            for prefix in byPrefix.keys {
                for memberID in memberIDs(withPrefix: prefix) {
                    if let member = members[memberID] { compare(memberID, member.digestEntry) }
                }
            }
        }
        sendState(of: Array(newer.sorted().prefix(Self.maxMembersPerDigestAnswer)), to: source, peer: sender)
        if digest.wantsReply { sendDigest(to: source, peer: sender, wantsReply: false) }
    }

    /// The members whose id starts with `prefix`: a contiguous run of the sorted `memberIDs`.
    private func memberIDs(withPrefix prefix: UInt64) -> Slice<MemberSet> {
        var low = 0
        var high = memberIDs.count
        while low < high {
            let mid = (low + high) / 2
            if memberIDs[mid].prefix64 < prefix { low = mid + 1 } else { high = mid }
        }
        var end = low
        while end < memberIDs.count, memberIDs[end].prefix64 == prefix { end += 1 }
        return memberIDs[low..<end]
    }

    /// Answers a join request: everything we know, split over as many datagrams as it takes,
    /// sent only to the address the joiner signed into its heartbeat (it comes first in a join
    /// request), at most once per `joinRetryInitial` per joiner. A captured request replayed from
    /// a spoofed source therefore sends nothing there, and nothing much to the joiner.
    mutating func answerJoinRequest(from joiner: NodeID, source: PeerAddress, now: Instant) {
        guard let address = members[joiner]?.heartbeat.address else {
            if let holder = nameHolder(refusing: joiner) {
                tellRefusedNamesake(joiner, at: source, holder: holder)
            } else {
                counters.repliesWithheld += 1
            }
            return
        }
        if let last = fullStateSentAt[joiner], now < last + settings.joinRetryInitial { return }
        if fullStateSentAt.count >= VerificationBudget.maxTrackedSources {
            fullStateSentAt = fullStateSentAt.filter { now < $0.value + settings.joinRetryInitial }
        }
        fullStateSentAt[joiner] = now
        sendState(of: [id] + memberIDs, to: address, peer: joiner)
        certificateCarriage.holds(joiner)
    }

    private mutating func sendState(of ids: [NodeID], to address: PeerAddress, peer: NodeID) {
        guard !ids.isEmpty else { return }
        var builder = newDatagram(to: peer, maxSize: datagramRoom)
        for memberID in ids {
            let records = stateRecords(of: memberID)
            let size = records.reduce(0) { $0 + $1.encodedSize }
            if size > builder.remaining, !builder.isEmpty {
                send(builder, to: address)
                builder = newDatagram(to: peer, maxSize: datagramRoom)
            }
            for record in records { builder.append(record) }
        }
        if !builder.isEmpty { send(builder, to: address) }
    }

    /// A member's certificate, heartbeat and, for suspect or dead members, the signed accusation.
    func stateRecords(of memberID: NodeID) -> [Record] {
        if memberID == id {
            return [ownCertificateRecord, ownStatement.record]
        }
        guard let member = members[memberID] else { return [] }
        var records = [Record(type: RecordType.certificate.rawValue, value: member.certificate.encoded),
                       member.heartbeatRecord]
        if let accusation = member.accusation { records.append(accusation.record) }
        return records
    }
}

extension DigestEntry {
    /// Whether our entry carries news for the holder of `other`: a higher incarnation, a more
    /// severe status at the same incarnation, or different fields (the replay rule then keeps
    /// whichever heartbeat is newer).
    func isNewer(than other: DigestEntry) -> Bool {
        if incarnation != other.incarnation { return incarnation > other.incarnation }
        if status != other.status { return status > other.status }
        return fieldsHash != other.fieldsHash
    }
}
