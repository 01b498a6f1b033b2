import ChorusWire
import HashTreeCollections

/// Merge rules (SWIM, memberlist): at a higher incarnation the origin's own heartbeat wins;
/// at the same incarnation alive < suspect < dead; `left` is final for that incarnation.
extension MembershipNode {
    mutating func applyHeartbeat(_ heartbeat: Heartbeat, statement: SignedStatement, now: Instant,
                                 findings: inout DatagramFindings) {
        let origin = statement.origin
        guard heartbeat.incarnation <= IncarnationBounds.maximum else {
            counters.reject(.outOfRange)
            return
        }
        if origin == id {
            // Our own heartbeat relayed back is normal; one newer than ours means we lost state
            // (e.g. a wiped incarnation file): move past it rather than go backwards.
            if (heartbeat.incarnation, heartbeat.sequence) > (incarnation, heartbeatSequence) {
                refute(atLeast: heartbeat.incarnation)
            }
            return
        }
        guard let certificate = trust.certificate(of: origin, unixSeconds: unixSeconds) else { return }
        defer { noteDecisionsDigest(of: heartbeat, origin: origin, now: now) }
        let leaving = ServingState(wireValue: heartbeat.serving) == .leaving
        guard var member = members[origin] else {
            if let watermark = forgotten[origin], !heartbeat.isNewer(than: watermark) {
                counters.reject(.replay)
                return
            }
            guard admitsName(certificate.name, of: origin, at: heartbeat.address) else {
                counters.reject(.duplicateName)
                return
            }
            forgotten[origin] = nil
            retireTombstones(named: certificate.name)
            store(Member(id: origin, certificate: certificate, heartbeat: heartbeat, statement: statement,
                         status: leaving ? .left : .alive, now: now))
            if leaving {
                broadcastHeartbeat(of: origin, withCertificate: true)
                emit(.memberLeave, origin)
                expediteAntiEntropy(now: now)
            } else {
                findings.arrivals.append(origin)
            }
            return
        }
        announceArrival(of: origin, now: now, findings: &findings)
        guard heartbeat.isNewer(than: member.heartbeat) else {
            if member.heartbeat.isNewer(than: heartbeat) { counters.reject(.replay) }
            adoptRenewedCertificate(certificate, of: origin)
            return
        }
        let previous = member.heartbeat
        let previousFieldsHash = member.fieldsHash
        member.setHeartbeat(heartbeat, statement: statement)
        let fieldsChanged = member.fieldsHash != previousFieldsHash
        let certificateChanged = member.certificate != certificate
        member.certificate = certificate
        var event: MembershipEvent.Kind?
        var returned = false
        if leaving {
            if member.status != .left || heartbeat.incarnation > member.statusIncarnation {
                member.status = .left
                member.statusIncarnation = heartbeat.incarnation
                member.accusation = nil
                member.suspicion = nil
                member.statusChangedAt = now
                event = .memberLeave
            }
        } else if member.status != .alive && heartbeat.incarnation > member.statusIncarnation {
            if member.status == .suspect {
                event = .memberUpdate // a refutation
            } else {
                // A restart after death or leave: a life first heard of here, announced like an
                // arrival once the datagram is done, unless the datagram also says that life ended.
                findings.arrivals.append(origin)
                returned = true
            }
            member.status = .alive
            member.statusIncarnation = heartbeat.incarnation
            member.accusation = nil
            member.suspicion = nil
            member.statusChangedAt = now
        } else if member.status == .alive, fieldsChanged || certificateChanged {
            member.statusIncarnation = heartbeat.incarnation
            event = .memberUpdate
        }
        store(member)
        if !returned, event != nil || fieldsChanged || certificateChanged {
            // Everyone who knows the member holds its certificate: it rides along only when the
            // member returns (an arrival, announced apart) or brings a new one.
            broadcastHeartbeat(of: origin, withCertificate: certificateChanged)
        }
        if let event { emit(event, origin) }
        if heartbeat.incarnation != previous.incarnation { certificateCarriage.newLife(of: origin) }
    }

    /// Members first heard of in the datagram being handled are announced (event, gossip with
    /// their certificate) once it is done, or before any other news of them in it, unless it
    /// also declared them dead.
    mutating func announceArrivals(_ findings: inout DatagramFindings, now: Instant) {
        while let origin = findings.arrivals.first { announceArrival(of: origin, now: now, findings: &findings) }
    }

    private mutating func announceArrival(of origin: NodeID, now: Instant, findings: inout DatagramFindings) {
        guard let arrival = findings.arrivals.firstIndex(of: origin) else { return }
        findings.arrivals.remove(at: arrival)
        broadcastHeartbeat(of: origin, withCertificate: true)
        emit(.memberJoin, origin)
        expediteAntiEntropy(now: now)
    }

    mutating func applySuspicion(_ accusation: Accusation, statement: SignedStatement, now: Instant,
                                 findings: inout DatagramFindings) {
        if accusation.subject == id {
            answerAccusationOfSelf(accusation, accuser: statement.origin, findings: &findings)
            return
        }
        announceArrival(of: accusation.subject, now: now, findings: &findings)
        guard var member = members[accusation.subject], isBelievable(accusation, of: member) else { return }
        switch member.status {
        case .alive:
            member.status = .suspect
            member.statusIncarnation = accusation.incarnation
            member.accusation = statement
            member.statusChangedAt = now
            member.suspicion = Suspicion(
                incarnation: accusation.incarnation, accuser: statement.origin, startedAt: now,
                minimum: minimumSuspicionTimeout, maximum: minimumSuspicionTimeout.scaled(by: settings.suspicionMaxMultiplier),
                expectedConfirmations: min(settings.suspicionConfirmations, clusterSize - 2))
            store(member)
            counters.suspicionsRaised += 1
            broadcasts.enqueue(.suspicion(subject: accusation.subject, accuser: statement.origin), records: [statement.record])
            emit(.memberSuspect, accusation.subject)
            // The refutation spreads by gossip, which reaches every node only with high
            // probability: sync with a member within a few gossip rounds, as after a join or a
            // leave, so a holder that missed every copy still learns the new incarnation (seen
            // at 20% loss: one node of 25 heard none in 3 s and declared the live member dead).
            expediteAntiEntropy(now: now)
        case .suspect:
            guard accusation.incarnation == member.statusIncarnation,
                  member.suspicion?.confirm(by: statement.origin) == true else { return }
            store(member)
            // Lifeguard: spread confirmations so every node's timer shrinks, not only ours.
            broadcasts.enqueue(.suspicion(subject: accusation.subject, accuser: statement.origin), records: [statement.record])
        case .dead, .left:
            return
        }
    }

    /// `byOwnTimer`: this node's suspicion ran out; anything received, even signed with our own
    /// key (a verdict of a previous process of ours, or of a thief of the key), is one accuser.
    mutating func applyDeath(_ accusation: Accusation, statement: SignedStatement, now: Instant, byOwnTimer: Bool = false,
                             findings: inout DatagramFindings) {
        if accusation.subject == id {
            answerAccusationOfSelf(accusation, accuser: statement.origin, findings: &findings)
            return
        }
        guard var member = members[accusation.subject], isBelievable(accusation, of: member),
              member.status == .alive || member.status == .suspect else { return }
        let firstHeardNow = findings.arrivals.contains(accusation.subject)
        if !byOwnTimer, !firstHeardNow, !hasAnotherAccuser(member, than: statement.origin) {
            // Anyone with a certificate can sign "dead" about anyone: one accuser alone only
            // starts (or stands in) a suspicion, which a live member refutes in time. A real
            // death is seen by more than one node, whose timers expire within a gossip hop.
            applySuspicion(accusation, statement: statement, now: now, findings: &findings)
            return
        }
        member.status = .dead
        member.statusIncarnation = accusation.incarnation
        member.accusation = statement
        member.suspicion = nil
        member.statusChangedAt = now
        store(member)
        if let arrival = findings.arrivals.firstIndex(of: accusation.subject) {
            // Dead before we ever saw it alive (a seed's state, an anti-entropy answer): a
            // tombstone to keep, not a join and a failure to report or news to spread.
            findings.arrivals.remove(at: arrival)
            return
        }
        counters.membersDeclaredDead += 1
        broadcasts.enqueue(.about(accusation.subject), records: [statement.record])
        emit(.memberFailed, accusation.subject)
    }

    /// An accusation of us at an incarnation we hold or above is refuted; an older one shows the
    /// accuser missed our refutation; one far above anything we signed is a lie, not news
    /// (`IncarnationBounds`): were we to follow it, a peer could spend our incarnations.
    private mutating func answerAccusationOfSelf(_ accusation: Accusation, accuser: NodeID,
                                                 findings: inout DatagramFindings) {
        if accusation.incarnation < incarnation {
            findings.staleAccusationOfSelf = true
        } else if IncarnationBounds.isPlausible(accused: accusation.incarnation, held: incarnation) {
            refute(atLeast: accusation.incarnation, accuser: accuser)
        } else {
            counters.reject(.outOfRange)
        }
    }

    /// An accusation counts against the incarnation it names, and only if that is one the member
    /// may have signed: not older than its heartbeat we hold, not far beyond it.
    private mutating func isBelievable(_ accusation: Accusation, of member: Member) -> Bool {
        let held = member.heartbeat.incarnation
        guard accusation.incarnation >= held else { return false }
        guard IncarnationBounds.isPlausible(accused: accusation.incarnation, held: held) else {
            counters.reject(.outOfRange)
            return false
        }
        return true
    }

    /// Whether someone other than `accuser` (this node included) accuses the life we hold.
    private func hasAnotherAccuser(_ member: Member, than accuser: NodeID) -> Bool {
        member.suspicion?.accusers.contains { $0 != accuser } ?? false
    }

    /// Answers an accusation by outliving it: a higher incarnation, persisted before it is sent,
    /// gossiped to all and sent straight to the accuser, whose timer is the one running.
    mutating func refute(atLeast accused: UInt64, accuser: NodeID? = nil) {
        guard !isLeaving else { return }
        incarnation = IncarnationBounds.refuting(accused, current: incarnation)
        effects.append(.persistIncarnation(incarnation))
        heartbeatSequence = 0
        ownStatement = signOwnHeartbeat()
        counters.refutations += 1
        raiseLocalHealth()
        broadcastOwnHeartbeat()
        if let accuser, let member = members[accuser], member.isProbeable {
            sendGossip(to: member.heartbeat.address, peer: accuser, leading: [ownStatement.record])
        }
    }

    /// `minimum = suspicionMultiplier * max(1, log10(N)) * probeInterval`
    var minimumSuspicionTimeout: Duration { settings.minimumSuspicionTimeout(clusterSize: clusterSize) }

    /// A node that restarted with a wiped data directory comes back under a new key with the
    /// same name; its old dead or left entry is then only noise and is dropped.
    private mutating func retireTombstones(named name: String) {
        for old in index.tombstones.filter({ members[$0]?.name == name }).sorted() { forget(old) }
    }

    mutating func expireSuspicions(now: Instant) {
        guard let earliest = index.earliestSuspicionEvent, now >= earliest else { return }
        checkSuspects(now: now)
        let expired = index.suspected.filter { id in
            members[id]?.suspicion.map { now >= $0.deadline } ?? false
        }
        for id in expired.sorted() {
            guard var member = members[id] else { continue }
            member.suspicion = nil
            store(member)
            let accusation = Accusation(subject: id, incarnation: member.statusIncarnation)
            let statement = SignedStatement.sign(kind: .dead, body: accusation.encoded, clusterID: clusterID, signer: signer)
            var ownFindings = DatagramFindings()
            applyDeath(accusation, statement: statement, now: now, byOwnTimer: true, findings: &ownFindings)
        }
    }

    /// Hands each suspect whose check is due the accusation we hold (Lifeguard's buddy system,
    /// applied by every holder of a lasting suspicion, not only by a prober that happens to pick
    /// the suspect, which at 1,000 members takes minutes). A suspect that refuted already answers
    /// with its current heartbeat (`DatagramFindings.staleAccusationOfSelf`); one that had not heard refutes.
    private mutating func checkSuspects(now: Instant) {
        let due = index.suspected.filter { id in
            members[id]?.suspicion?.checkAt.map { now >= $0 } ?? false
        }
        for id in due {
            guard var member = members[id], let accusation = member.accusation else { continue }
            member.suspicion?.checked()
            store(member)
            counters.suspicionChecks += 1
            sendGossip(to: member.heartbeat.address, peer: id, leading: [accusation.record])
        }
    }

    /// Scans the tombstones only once the earliest of them is due.
    mutating func reapTombstones(now: Instant) {
        guard let due = index.nextReapAt, now >= due else { return }
        let expired = index.tombstones.filter { id in
            members[id].map { now - $0.statusChangedAt >= settings.tombstoneDuration } ?? false
        }
        for id in expired { forget(id) }
        index.nextReapAt = index.tombstones.compactMap { members[$0]?.statusChangedAt }.min()
            .map { $0 + settings.tombstoneDuration }
    }
}
