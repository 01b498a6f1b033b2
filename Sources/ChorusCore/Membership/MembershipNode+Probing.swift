import ChorusWire
import HashTreeCollections

extension MembershipNode {
    mutating func driveProbe(now: Instant) {
        guard !isLeaving else { return }
        if var current = probe {
            if !current.indirectSent, now >= current.indirectAt {
                current.indirectSent = true
                current.helpers = sendIndirectProbes(for: current)
                current.expectedNacks = current.helpers.count
                // Sent late (this node was not running at `indirectAt`): the helpers still get
                // the whole indirect window, or the probe would fail in this very tick.
                if now - current.indirectAt > settings.lateTolerance {
                    current.endAt = max(current.endAt, now + (scaled(settings.probeInterval) - scaled(settings.probeTimeout)))
                }
                probe = current
            }
            if now >= current.endAt {
                if !current.endPostponed, now - current.endAt > settings.lateTolerance {
                    // Read late: an ack or nack that came in time may be queued behind this
                    // tick, unread. The verdict waits for it, once, for one short grace.
                    current.endPostponed = true
                    current.endAt = now + settings.lateTolerance
                    probe = current
                } else {
                    probe = nil
                    failProbe(current, now: now)
                }
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
        let (sequence, nonce) = probeNumbers.take()
        let interval = scaled(settings.probeInterval)
        probe = ActiveProbe(sequence: sequence, nonce: nonce, target: target.id, incarnation: target.heartbeat.incarnation,
                            indirectAt: now + scaled(settings.probeTimeout), endAt: now + interval)
        nextProbeAt = now + interval
        refreshHeartbeat()
        counters.probesSent += 1
        var leading = [Ping(sequence: sequence, target: target.id, nonce: nonce).record, ownStatement.record]
        // Lifeguard's buddy system: a suspect learns of the suspicion from its prober at once.
        if target.status == .suspect, let accusation = target.accusation { leading.append(accusation.record) }
        sendGossip(to: target.heartbeat.address, peer: target.id, leading: leading)
    }

    /// Asks up to k other live members to probe the target (k grows with log N: see
    /// `indirectProbeCount`); returns those asked.
    /// The direct ping is sent once more too: on a lossy link a second try is the cheapest way
    /// to avoid a false suspicion (memberlist adds a TCP ping for the same reason).
    private mutating func sendIndirectProbes(for current: ActiveProbe) -> [NodeID] {
        guard let target = members[current.target] else { return [] }
        sendGossip(to: target.heartbeat.address, peer: target.id,
                   leading: [Ping(sequence: current.sequence, target: target.id, nonce: current.nonce).record, ownStatement.record])
        let helpers = index.alive.sample(settings.indirectProbeCount(clusterSize: clusterSize), excluding: current.target,
                                         using: &random)
        let request = PingRequest(sequence: current.sequence, target: target.id, targetAddress: target.heartbeat.address,
                                  nonce: current.nonce)
        var asked: [NodeID] = []
        for helper in helpers {
            guard let address = members[helper]?.heartbeat.address else { continue }
            counters.indirectProbesSent += 1
            sendGossip(to: address, peer: helper, leading: [request.record])
            asked.append(helper)
        }
        return asked
    }

    private mutating func failProbe(_ failed: ActiveProbe, now: Instant) {
        counters.probesFailed += 1
        // Lifeguard: if helpers did not even send nacks, the fault may be ours.
        if failed.expectedNacks > 0, failed.nacks < failed.expectedNacks { raiseLocalHealth() }
        guard let target = members[failed.target], target.status == .alive || target.status == .suspect else { return }
        // A newer life (a restart, a refutation) began while the pings went to the old one: its
        // silence says nothing about the new one, which the next round probes.
        guard target.heartbeat.incarnation == failed.incarnation else { return }
        certificateCarriage.mayHaveLost(target.id) // it may have restarted
        // Just joined: it may still be busy starting up (`newcomerGrace`); the next round asks again.
        guard !isNewcomer(target.id, now: now) else { return }
        let accusation = Accusation(subject: target.id, incarnation: target.heartbeat.incarnation)
        let statement = SignedStatement.sign(kind: .suspect, body: accusation.encoded, clusterID: clusterID, signer: signer)
        var ownFindings = DatagramFindings()
        applySuspicion(accusation, statement: statement, now: now, findings: &ownFindings)
    }

    private mutating func nextProbeTarget() -> Member? {
        let members = members
        let target = probeRound.next(of: index.probeable, using: &random) { members[$0]?.isProbeable == true }
        return target.flatMap { members[$0] }
    }

    mutating func handlePing(_ ping: Ping, sender: NodeID, source: PeerAddress) {
        guard ping.target == id else { return } // meant for a previous owner of this address
        certificateCarriage.holds(sender) // it addressed us by id
        sendGossip(to: source, peer: sender, leading: [ProbeReply(sequence: ping.sequence, nonce: ping.nonce).record(.ack)])
    }

    /// An ack answers our probe only from the target or a helper we asked, echoing the probe's
    /// nonce; an ack captured earlier, or sent by anyone else, keeps nothing alive.
    mutating func handleAck(_ ack: ProbeReply, sender: NodeID, now: Instant) {
        if let current = probe, current.sequence == ack.sequence {
            guard sender == current.target || current.helpers.contains(sender),
                  echoes(ack, nonce: current.nonce, from: sender) else {
                counters.reject(.stale)
                return
            }
            probe = nil
            if sender == current.target { certificateCarriage.holds(sender) }
            lowerLocalHealth()
            return
        }
        if let relay = relays[ack.sequence] {
            guard sender == relay.target, echoes(ack, nonce: relay.nonce, from: sender) else {
                counters.reject(.stale)
                return
            }
            relays[ack.sequence] = nil
            sendGossip(to: relay.requesterAddress, peer: relay.requester,
                       leading: [ProbeReply(sequence: relay.requesterSequence, nonce: relay.requesterNonce).record(.ack)])
        }
    }

    mutating func handleNack(_ nack: ProbeReply, sender: NodeID) {
        guard let current = probe, current.sequence == nack.sequence, current.helpers.contains(sender),
              echoes(nack, nonce: current.nonce, from: sender) else { return }
        probe?.nacks += 1
    }

    /// Whether `reply` carries `nonce`. A member whose own signed heartbeat says it speaks
    /// protocol 1 echoes none, and is believed by sequence alone, as before: that is what lets
    /// a mixed cluster of old and new agents probe each other during a rolling upgrade of Chorus.
    /// A replayed old heartbeat cannot claim version 1 for an upgraded member (the replay rule).
    private func echoes(_ reply: ProbeReply, nonce: UInt64, from sender: NodeID) -> Bool {
        if let echoed = reply.nonce { return echoed == nonce }
        return (members[sender]?.heartbeat.protocolVersion ?? Self.protocolVersion) < 2
    }

    /// The target is pinged at the address it signed into its heartbeat, not at the one the
    /// request names: a request must not aim our datagrams at an address of its choosing.
    /// A helper that does not know the target stays silent (the prober's other helpers answer).
    mutating func handlePingRequest(_ request: PingRequest, sender: NodeID, source: PeerAddress, now: Instant) {
        guard request.target != id, !isLeaving, let targetAddress = members[request.target]?.heartbeat.address else { return }
        let (sequence, nonce) = probeNumbers.take()
        relays[sequence] = RelayedProbe(
            requester: sender, requesterAddress: source, requesterSequence: request.sequence, requesterNonce: request.nonce,
            target: request.target, nonce: nonce,
            nackAt: now + settings.probeTimeout.scaled(by: 0.8), expiresAt: now + settings.probeInterval)
        sendGossip(to: targetAddress, peer: request.target,
                   leading: [Ping(sequence: sequence, target: request.target, nonce: nonce).record, ownStatement.record])
    }

    mutating func expireRelays(now: Instant) {
        for (sequence, relay) in relays.sorted(by: { $0.key < $1.key }) {
            if now >= relay.expiresAt {
                relays[sequence] = nil
            } else if !relay.nackSent, now >= relay.nackAt {
                relays[sequence]?.nackSent = true
                sendGossip(to: relay.requesterAddress, peer: relay.requester,
                           leading: [ProbeReply(sequence: relay.requesterSequence, nonce: relay.requesterNonce).record(.nack)])
            }
        }
    }
}
