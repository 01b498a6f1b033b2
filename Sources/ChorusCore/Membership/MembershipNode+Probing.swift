import ChorusWire
import HashTreeCollections

/// The probe this node has in flight (one at a time, as in SWIM).
struct ActiveProbe: Sendable {
    let sequence: UInt32
    let target: NodeID
    /// When to give up on a direct ack and ask others.
    let indirectAt: Instant
    /// When the probe fails if nothing answered.
    let endAt: Instant
    var indirectSent = false
    var expectedNacks = 0
    var nacks = 0
}

/// A probe this node runs on another node's behalf (a ping request).
struct RelayedProbe: Sendable {
    let requester: NodeID
    let requesterAddress: PeerAddress
    let requesterSequence: UInt32
    /// Lifeguard: answer "I could not reach it" before the requester's probe ends.
    let nackAt: Instant
    let expiresAt: Instant
    var nackSent = false
}

extension MembershipNode {
    mutating func driveProbe(now: Instant) {
        guard !isLeaving else { return }
        if var current = probe {
            if !current.indirectSent, now >= current.indirectAt {
                current.indirectSent = true
                current.expectedNacks = sendIndirectProbes(for: current)
                probe = current
            }
            if now >= current.endAt {
                probe = nil
                failProbe(current, now: now)
            }
        }
        guard probe == nil, now >= nextProbeAt else { return }
        guard let target = nextProbeTarget() else {
            nextProbeAt = now + settings.probeInterval
            return
        }
        startProbe(of: target, now: now)
    }

    private mutating func startProbe(of target: Member, now: Instant) {
        let sequence = takeProbeSequence()
        let interval = scaled(settings.probeInterval)
        probe = ActiveProbe(sequence: sequence, target: target.id, indirectAt: now + scaled(settings.probeTimeout),
                            endAt: now + interval)
        nextProbeAt = now + interval
        refreshHeartbeat()
        counters.probesSent += 1
        var leading = [Ping(sequence: sequence, target: target.id).record, ownStatement.record]
        // Lifeguard's buddy system: a suspect learns of the suspicion from its prober at once.
        if target.status == .suspect, let accusation = target.accusation { leading.append(accusation.record) }
        sendGossip(to: target.heartbeat.address, peer: target.id, leading: leading)
    }

    /// Asks up to k other live members to probe the target (k grows with log N: see
    /// `indirectProbeCount`); returns how many were asked.
    /// The direct ping is sent once more too: on a lossy link a second try is the cheapest way
    /// to avoid a false suspicion (memberlist adds a TCP ping for the same reason).
    private mutating func sendIndirectProbes(for current: ActiveProbe) -> Int {
        guard let target = members[current.target] else { return 0 }
        sendGossip(to: target.heartbeat.address, peer: target.id,
                   leading: [Ping(sequence: current.sequence, target: target.id).record, ownStatement.record])
        let helpers = index.alive.sample(settings.indirectProbeCount(clusterSize: clusterSize), excluding: current.target,
                                         using: &random)
        let request = PingRequest(sequence: current.sequence, target: target.id, targetAddress: target.heartbeat.address)
        for helper in helpers {
            guard let address = members[helper]?.heartbeat.address else { continue }
            counters.indirectProbesSent += 1
            sendGossip(to: address, peer: helper, leading: [request.record])
        }
        return helpers.count
    }

    private mutating func failProbe(_ failed: ActiveProbe, now: Instant) {
        counters.probesFailed += 1
        // Lifeguard: if helpers did not even send nacks, the fault may be ours.
        if failed.expectedNacks > 0, failed.nacks < failed.expectedNacks { raiseLocalHealth() }
        guard let target = members[failed.target], target.status == .alive || target.status == .suspect else { return }
        peerMayHaveLostOurCertificate(target.id) // it may have restarted
        let accusation = Accusation(subject: target.id, incarnation: target.heartbeat.incarnation)
        let statement = SignedStatement.sign(kind: .suspect, body: accusation.encoded, clusterID: clusterID, signer: signer)
        applySuspicion(accusation, statement: statement, now: now)
    }

    /// Randomized round robin (SWIM): every member is probed once per pass, in a fresh order.
    /// A pass keeps the probeable set as it stood (a copy that shares its chunks) and a shuffled
    /// permutation of its positions: 4 bytes per member instead of a shuffled copy of 32-byte ids.
    /// Shuffling positions draws exactly what shuffling the ids would, so seeded runs replay.
    private mutating func nextProbeTarget() -> Member? {
        for _ in 0..<2 {
            while probeIndex < probeOrder.count {
                let candidate = probePass[Int(probeOrder[probeIndex])]
                probeIndex += 1
                if let member = members[candidate], member.isProbeable { return member }
            }
            probePass = index.probeable
            probeOrder = (0..<UInt32(probePass.count)).shuffled(using: &random)
            probeIndex = 0
            if probeOrder.isEmpty { return nil }
        }
        return nil
    }

    private mutating func takeProbeSequence() -> UInt32 {
        defer { nextProbeSequence &+= 1 }
        return nextProbeSequence
    }

    mutating func handlePing(_ ping: Ping, sender: NodeID, source: PeerAddress) {
        guard ping.target == id else { return } // meant for a previous owner of this address
        peerHoldsOurCertificate(sender) // it addressed us by id
        sendGossip(to: source, peer: sender, leading: [ProbeReply(sequence: ping.sequence).record(.ack)])
    }

    mutating func handleAck(_ ack: ProbeReply, sender: NodeID, now: Instant) {
        if let current = probe, current.sequence == ack.sequence {
            probe = nil
            if sender == current.target { peerHoldsOurCertificate(sender) }
            lowerLocalHealth()
            return
        }
        if let relay = relays.removeValue(forKey: ack.sequence) {
            sendGossip(to: relay.requesterAddress, peer: relay.requester,
                       leading: [ProbeReply(sequence: relay.requesterSequence).record(.ack)])
        }
    }

    mutating func handleNack(_ nack: ProbeReply) {
        if probe?.sequence == nack.sequence { probe?.nacks += 1 }
    }

    /// The target is pinged at the address it signed into its heartbeat, not at the one the
    /// request names: a request must not aim our datagrams at an address of its choosing.
    /// A helper that does not know the target stays silent (the prober's other helpers answer).
    mutating func handlePingRequest(_ request: PingRequest, sender: NodeID, source: PeerAddress, now: Instant) {
        guard request.target != id, !isLeaving, let targetAddress = members[request.target]?.heartbeat.address else { return }
        let sequence = takeProbeSequence()
        relays[sequence] = RelayedProbe(
            requester: sender, requesterAddress: source, requesterSequence: request.sequence,
            nackAt: now + settings.probeTimeout.scaled(by: 0.8), expiresAt: now + settings.probeInterval)
        sendGossip(to: targetAddress, peer: request.target,
                   leading: [Ping(sequence: sequence, target: request.target).record, ownStatement.record])
    }

    mutating func expireRelays(now: Instant) {
        for (sequence, relay) in relays.sorted(by: { $0.key < $1.key }) {
            if now >= relay.expiresAt {
                relays[sequence] = nil
            } else if !relay.nackSent, now >= relay.nackAt {
                relays[sequence]?.nackSent = true
                sendGossip(to: relay.requesterAddress, peer: relay.requester,
                           leading: [ProbeReply(sequence: relay.requesterSequence).record(.nack)])
            }
        }
    }
}
