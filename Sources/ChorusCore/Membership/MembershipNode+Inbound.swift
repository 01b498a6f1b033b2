import ChorusWire
import HashTreeCollections

extension MembershipNode {
    /// Open, decode, authenticate, then act, cheapest check first: the seal when gossip is
    /// sealed (one decryption), the header and the exchange (recipient and epoch), then whether this source may still spend our
    /// signature checks (`VerificationBudget`), then the sender's signature (its id is its key),
    /// and only then the certificates the datagram carries. Nothing in a datagram is acted on
    /// before its sender's certificate and signature verified.
    mutating func handleDatagram(_ bytes: [UInt8], from source: PeerAddress, now: Instant) {
        counters.datagramsIn += 1
        counters.bytesIn += UInt64(bytes.count)
        let plain: [UInt8]
        var retiredKey: GossipKey?
        switch sealing.open(bytes) {
        case .datagram(let opened):
            plain = opened
        case .retired(let opened, let key):
            (plain, retiredKey) = (opened, key)
        case .refused(let reason):
            counters.reject(reason)
            return
        }
        let datagram: Datagram
        let exchange: Exchange?
        do {
            datagram = try Datagram.decode(plain, expectedCluster: clusterID, maxSize: settings.maxDatagramSize)
            exchange = try datagram.exchange()
        } catch {
            counters.reject(.malformed)
            return
        }
        if let refusal = exchangeRefusal(exchange, from: datagram.sender) {
            counters.reject(refusal)
            return
        }
        guard datagram.sender != id else { return }
        guard !trust.revoked.contains(datagram.sender) else {
            counters.reject(.revoked)
            return
        }
        replyAllowance = ReplyAllowance(source: source, sender: datagram.sender, received: bytes.count)
        defer { replyAllowance = nil }
        // An honest sender repeats a datagram byte for byte (a join retry, a resent proposal)
        // only from the address it signed; a copy from anywhere else is a replay.
        let fingerprint = RecentSignatures.Fingerprint(datagram.signature)
        guard !recentSignatures.contains(fingerprint) || members[datagram.sender]?.heartbeat.address == source else {
            counters.reject(.replay)
            verificationBudget.recordFailure(source: source, now: now)
            return
        }
        guard verificationBudget.admits(source: source, sender: datagram.sender,
                                        advertised: members[datagram.sender]?.heartbeat.address, now: now) else {
            counters.reject(.shed)
            return
        }
        guard trust.scheme.verify(signature: datagram.signature, message: datagram.signedBytes,
                                  publicKey: datagram.sender.bytes) else {
            counters.reject(.badSignature)
            verificationBudget.recordFailure(source: source, now: now)
            return
        }
        // Certificates are self-authenticating (authority-signed): they are what lets the sender
        // and the statements it relays be trusted. One already held costs no verification.
        for record in datagram.records where record.type == RecordType.certificate.rawValue {
            guard verificationBudget.admitsAnotherCheck(source: source, now: now) else {
                counters.reject(.shed)
                break
            }
            guard let certificate = try? Certificate.decode(record.value),
                  trust.admit(certificate, unixSeconds: unixSeconds) else {
                counters.reject(.untrustedSender)
                verificationBudget.recordFailure(source: source, now: now)
                continue
            }
        }
        guard trust.certificate(of: datagram.sender, unixSeconds: unixSeconds) != nil else {
            counters.reject(.untrustedSender)
            if !datagram.records.contains(where: { $0.type == RecordType.certificate.rawValue }) {
                requestCertificate(from: datagram.sender, at: source, now: now)
            }
            return
        }
        recentSignatures.insert(fingerprint)
        noteProcessEpoch(exchange, of: datagram.sender)
        verificationBudget.recordSuccess(source: source, sender: datagram.sender)
        if let retiredKey {
            // A member that missed a rotation: it gets the keys, and nothing it says is taken.
            grantKeyring(to: datagram.sender, source: source, sealedWith: retiredKey, now: now)
            return
        }
        if !hasJoined {
            hasJoined = true
            certificateCarriage.spread(until: now + settings.certificateSettleTime, renewal: false)
        }
        var findings = DatagramFindings()
        for record in datagram.records {
            handleRecord(record, sender: datagram.sender, source: source, now: now, findings: &findings)
        }
        announceArrivals(&findings, now: now)
        // The sender still holds an accusation we refuted: it missed our refutation, so hand it
        // our current heartbeat before its suspicion timer runs out.
        if findings.staleAccusationOfSelf { sendGossip(to: source, peer: datagram.sender, leading: [ownStatement.record]) }
        tellAccusedIfNeeded(datagram.sender, at: source)
    }

    private mutating func handleRecord(_ record: Record, sender: NodeID, source: PeerAddress, now: Instant,
                                       findings: inout DatagramFindings) {
        do {
            switch RecordType(rawValue: record.type) {
            case .certificate:
                break
            case .statement:
                handleStatement(try SignedStatement.decode(record.value), now: now, findings: &findings)
            case .prepare, .promise, .accept, .refuse, .catchUp:
                try handleQuorumRecord(record, sender: sender, now: now)
            case .votes:
                handleVotes(try VoteBundle.decode(record.value), sender: sender, now: now)
            case .ping:
                handlePing(try Ping.decode(record.value), sender: sender, source: source)
            case .ack:
                handleAck(try ProbeReply.decode(record.value), sender: sender, now: now)
            case .nack:
                handleNack(try ProbeReply.decode(record.value), sender: sender)
            case .pingRequest:
                handlePingRequest(try PingRequest.decode(record.value), sender: sender, source: source, now: now)
            case .joinRequest:
                answerJoinRequest(from: sender, source: source, now: now)
            case .digest:
                handleDigest(try Digest.decode(record.value), sender: sender, source: source)
            case .certificateRequest:
                answerCertificateRequest(from: sender, source: source, now: now)
            case .keyringGrant:
                adoptKeyringGrant(record.value, from: sender, now: now)
            case .exchange:
                break // checked before the signature
            case .padding:
                break
            case nil:
                break // a record type from a newer protocol version: skipped by design
            }
        } catch {
            counters.reject(.malformed)
        }
    }

    /// A statement is verified against its origin's certificate before it is applied.
    mutating func handleStatement(_ statement: SignedStatement, now: Instant, findings: inout DatagramFindings) {
        guard trust.certificate(of: statement.origin, unixSeconds: unixSeconds) != nil else {
            counters.reject(.untrustedSender)
            return
        }
        guard statement.verify(clusterID: clusterID, scheme: trust.scheme) else {
            counters.reject(.badSignature)
            return
        }
        do {
            switch SignedStatement.Kind(rawValue: statement.kind) {
            case .heartbeat:
                applyHeartbeat(try Heartbeat.decode(statement.body), statement: statement, now: now, findings: &findings)
            case .suspect:
                applySuspicion(try Accusation.decode(statement.body), statement: statement, now: now, findings: &findings)
            case .dead:
                applyDeath(try Accusation.decode(statement.body), statement: statement, now: now, findings: &findings)
            case .vote, nil:
                break // votes count only from `votes` records, where the engine checks them
            }
        } catch {
            counters.reject(.malformed)
        }
    }

    /// A member we hold suspect or dead is talking to us without having refuted: hand it the
    /// accusation so it can (it may have missed the gossip, e.g. after a partition or a stall).
    private mutating func tellAccusedIfNeeded(_ sender: NodeID, at source: PeerAddress) {
        guard let member = members[sender], member.status == .suspect || member.status == .dead,
              member.heartbeat.incarnation <= member.statusIncarnation,
              let accusation = member.accusation else { return }
        sendGossip(to: source, peer: sender, leading: [accusation.record])
    }
}
