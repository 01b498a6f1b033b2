import ChorusWire

/// Builds one record from the input: raw bytes of any type, or a well-formed record whose
/// statements and votes are signed by a roster member, so a member that lies (an accusation at
/// incarnation 2^64 − 1, a ballot at round 2^32 − 1, a slot near 2^64) gets past every check a
/// liar with a valid key gets past.
struct FuzzRecords {
    let cluster: FuzzCluster

    func record(_ input: inout FuzzInput) -> [Record] {
        switch input.choice(17) {
        case 0: [Record(type: input.byte(), value: input.shortBytes())]
        case 1: [heartbeat(&input).record]
        case 2: [accusation(&input).record]
        case 3: [rawStatement(&input).record]
        case 4: [QuorumMessage.prepare(slot: input.extremeUInt64(), ballot: ballot(&input)).record]
        case 5: [promise(&input).record]
        case 6: [QuorumMessage.accept(slot: input.extremeUInt64(), ballot: ballot(&input), value: value(&input)).record]
        case 7: [refuse(&input).record]
        case 8: [QuorumMessage.catchUp(fromSlot: input.extremeUInt64()).record]
        case 9: VoteBundle.records(of: votes(&input))
        case 10: [Ping(sequence: input.extremeUInt32(), target: cluster.memberID(&input), nonce: nonce(&input)).record]
        case 11: [ProbeReply(sequence: input.extremeUInt32(), nonce: nonce(&input)).record(input.flag() ? .ack : .nack)]
        case 12: [pingRequest(&input).record]
        case 13: [digest(&input).record]
        case 14: [JoinRequest.record]
        case 15: [CertificateRequest.record]
        default: [certificate(&input)]
        }
    }

    private func heartbeat(_ input: inout FuzzInput) -> SignedStatement {
        let signer = cluster.signer(&input)
        let body = Heartbeat(
            incarnation: input.extremeUInt64(), sequence: input.extremeUInt64(), address: address(&input),
            appVersion: input.flag() ? "1.0.0" : input.shortText(), protocolVersion: input.byte(), serving: input.byte(),
            decisionsDigest: (0..<8).map { UInt8(truncatingIfNeeded: input.extremeUInt64() >> (56 - 8 * UInt64($0))) })
        return cluster.statement(.heartbeat, body: body.encoded, by: signer)
    }

    private func accusation(_ input: inout FuzzInput) -> SignedStatement {
        let signer = cluster.signer(&input)
        let kind: SignedStatement.Kind = input.flag() ? .suspect : .dead
        let body = Accusation(subject: cluster.memberID(&input), incarnation: input.extremeUInt64())
        return cluster.statement(kind, body: body.encoded, by: signer)
    }

    /// Any body under any statement kind, validly signed: the body decoders behind the signature
    /// check. (A kind this version does not know is dropped once verified, so it is not drawn.)
    private func rawStatement(_ input: inout FuzzInput) -> SignedStatement {
        let signer = cluster.signer(&input)
        let kinds: [SignedStatement.Kind] = [.heartbeat, .suspect, .dead, .vote]
        return cluster.statement(kinds[input.choice(kinds.count)], body: input.shortBytes(), by: signer)
    }

    private func ballot(_ input: inout FuzzInput) -> Ballot {
        Ballot(round: input.extremeUInt32(), proposer: cluster.memberID(&input))
    }

    private func promise(_ input: inout FuzzInput) -> QuorumMessage {
        let slot = input.extremeUInt64()
        let promised = ballot(&input)
        let accepted = input.flag() ? QuorumMessage.AcceptedValue(ballot: ballot(&input), value: value(&input)) : nil
        return .promise(slot: slot, ballot: promised, accepted: accepted)
    }

    private func refuse(_ input: inout FuzzInput) -> QuorumMessage {
        let slot = input.extremeUInt64()
        let promised = input.flag() ? ballot(&input) : nil
        return .refuse(slot: slot, promised: promised, nextSlot: input.extremeUInt64())
    }

    /// One vote body signed by the voters the input picks (a bit per roster member, the outsider
    /// included), as a proof or a single acceptor's answer travels.
    private func votes(_ input: inout FuzzInput) -> [SignedStatement] {
        let body = Vote(slot: input.extremeUInt64(), ballot: ballot(&input), value: value(&input)).encoded
        let voters = input.byte()
        let signers = (cluster.identities.dropFirst() + [cluster.outsider]).enumerated()
            .filter { voters & (1 << $0.offset) != 0 }.map(\.element)
        return (signers.isEmpty ? [cluster.outsider] : signers).map { cluster.statement(.vote, body: body, by: $0) }
    }

    private func value(_ input: inout FuzzInput) -> DecisionValue {
        switch input.choice(15) {
        case 0: .found(founder: cluster.memberID(&input), clusterVersion: input.shortText())
        case 1: .admit(Array(Set((0...input.choice(4)).map { _ in cluster.memberID(&input) })).sorted())
        case 2: .remove(cluster.memberID(&input))
        case 3: .startUpgrade
        case 4: .cancelUpgrade
        case 5: .approveUpgrade(targetVersion: input.flag() ? "2.0.0" : input.shortText())
        case 6: .retryUpgrade
        case 7: .grantLease(runner: cluster.memberID(&input), term: input.extremeUInt32(),
                            durationMilliseconds: input.extremeUInt32())
        case 8: .renewLease(term: input.extremeUInt32())
        case 9: .finishTasks(term: input.extremeUInt32())
        case 10: .failTasks(term: input.extremeUInt32(), reason: input.shortText())
        case 11: .maintenanceOn(message: input.shortText())
        case 12: .maintenanceOff
        case 13: .setBanner(AnnouncementBanner(message: input.shortText(), level: input.flag() ? .warning : .info,
                                               expiresAt: input.flag() ? nil : input.extremeUInt64()))
        default: .clearBanner
        }
    }

    private func pingRequest(_ input: inout FuzzInput) -> PingRequest {
        PingRequest(sequence: input.extremeUInt32(), target: cluster.memberID(&input), targetAddress: address(&input),
                    nonce: nonce(&input))
    }

    /// Entries about roster members (by their id prefix) or any prefix, at any incarnation and status.
    private func digest(_ input: inout FuzzInput) -> Digest {
        let entries = (0..<input.choice(6)).map { _ in
            let prefix = input.flag() ? cluster.memberID(&input).bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
                : input.uint64()
            return DigestEntry(idPrefix: prefix, incarnation: input.extremeUInt64(), status: input.byte() % 5,
                               fieldsHash: input.uint32())
        }
        return Digest(wantsReply: input.flag(), isComplete: input.flag(), entries: entries)
    }

    private func certificate(_ input: inout FuzzInput) -> Record {
        let pick = input.choice(FuzzCluster.size + 1)
        let certificate = pick < FuzzCluster.size ? cluster.identities[pick].certificate : cluster.outsider.certificate
        return Record(type: RecordType.certificate.rawValue, value: certificate.encoded)
    }

    /// A protocol 2 nonce (small or extreme), or none as protocol 1 records carry.
    private func nonce(_ input: inout FuzzInput) -> UInt64? {
        input.flag() ? input.extremeUInt64() : nil
    }

    /// A roster member's address, or any IPv4 address and port.
    private func address(_ input: inout FuzzInput) -> PeerAddress {
        let pick = input.choice(FuzzCluster.size + 1)
        guard pick == FuzzCluster.size else { return cluster.addresses[pick] }
        let ip = input.bytes(count: 4)
        return PeerAddress(ipv4: ip[0], ip[1], ip[2], ip[3], port: UInt16(input.byte()) << 8 | UInt16(input.byte()))
    }
}
