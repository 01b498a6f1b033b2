import ChorusWire
import Testing

/// A deterministic stand-in signer: the codec only needs 64 bytes that depend on the message.
struct FakeSigner: MessageSigner {
    let publicKey = [UInt8](repeating: 7, count: 32)
    func sign(_ message: [UInt8]) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: 64)
        for (index, byte) in message.enumerated() { signature[index % 64] &+= byte }
        return signature
    }
}

@Suite struct DatagramTests {
    let cluster: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
    let sender = NodeID(bytes: [UInt8](repeating: 7, count: 32))!
    let target = NodeID(bytes: [UInt8](repeating: 9, count: 32))!

    func build(_ records: [Record], maxSize: Int = 1400) -> [UInt8] {
        var builder = DatagramBuilder(clusterID: cluster, sender: sender, maxSize: maxSize)
        for record in records {
            let appended = builder.append(record)
            #expect(appended)
        }
        return builder.finish(signer: FakeSigner())
    }

    @Test func roundTripKeepsEveryRecordAndTheSignedBytes() throws {
        let ping = Ping(sequence: 42, target: target, nonce: 0xDEAD_BEEF_0BAD_F00D)
        let bytes = build([ping.record, ProbeReply(sequence: 9, nonce: 0xDEAD_BEEF_0BAD_F00D).record(.ack)])
        let datagram = try Datagram.decode(bytes, expectedCluster: cluster, maxSize: 1400)
        #expect(datagram.sender == sender)
        #expect(datagram.records.count == 2)
        #expect(try Ping.decode(datagram.records[0].value) == ping)
        #expect(try ProbeReply.decode(datagram.records[1].value) == ProbeReply(sequence: 9, nonce: 0xDEAD_BEEF_0BAD_F00D))
        #expect(datagram.signedBytes + datagram.signature == bytes)
        #expect(datagram.signature == FakeSigner().sign(datagram.signedBytes))
    }

    @Test func everyTruncationIsRejectedWithoutTrapping() {
        let bytes = build([Ping(sequence: 1, target: target, nonce: 1).record, JoinRequest.record])
        for length in 0..<bytes.count {
            let cut = Array(bytes.prefix(length))
            // Cutting inside the signature leaves a shorter, well-formed-looking frame; it must
            // still fail to decode or fail verification, never crash.
            if let datagram = try? Datagram.decode(cut, expectedCluster: cluster, maxSize: 1400) {
                #expect(datagram.signature != FakeSigner().sign(datagram.signedBytes), "length \(length)")
            }
        }
    }

    @Test func oversizedInputIsRejected() {
        let bytes = [UInt8](repeating: 0, count: 1401)
        #expect(throws: WireError.tooLarge) { try Datagram.decode(bytes, expectedCluster: cluster, maxSize: 1400) }
    }

    @Test func builderNeverExceedsTheBudget() {
        var builder = DatagramBuilder(clusterID: cluster, sender: sender, maxSize: 200)
        let big = Record(type: 99, value: [UInt8](repeating: 1, count: 120))
        let tooBig = builder.append(big)
        let small = builder.append(Record(type: 99, value: [UInt8](repeating: 1, count: 20)))
        #expect(!tooBig)
        #expect(small)
        #expect(builder.finish(signer: FakeSigner()).count <= 200)
    }

    @Test func wrongMagicVersionAndClusterAreRejected() {
        var bytes = build([JoinRequest.record])
        bytes[0] = UInt8(ascii: "X")
        #expect(throws: WireError.badMagic) { try Datagram.decode(bytes, expectedCluster: cluster, maxSize: 1400) }
        bytes = build([JoinRequest.record])
        bytes[4] = 9
        #expect(throws: WireError.unsupportedVersion(9)) { try Datagram.decode(bytes, expectedCluster: cluster, maxSize: 1400) }
        bytes = build([JoinRequest.record])
        #expect(throws: WireError.wrongCluster) {
            try Datagram.decode(bytes, expectedCluster: [0, 0, 0, 0, 0, 0, 0, 0], maxSize: 1400)
        }
    }

    @Test func recordLengthsBeyondTheFrameAreRejected() {
        var bytes = build([Ping(sequence: 1, target: target, nonce: 1).record])
        // The ping record's length field sits right after its type byte.
        bytes[Datagram.headerSize + 1] = 0xff
        #expect(throws: WireError.truncated) { try Datagram.decode(bytes, expectedCluster: cluster, maxSize: 1400) }
    }

    @Test func probeRecordsOfVersion1HaveNoNonceAndVersion1ReadersSkipIt() throws {
        // A version 1 ack is the sequence alone; the version 1 ping decoder stopped after the target.
        #expect(try ProbeReply.decode([0, 0, 0, 9]) == ProbeReply(sequence: 9, nonce: nil))
        let withNonce = Ping(sequence: 3, target: target, nonce: 77).record.value
        #expect(try Ping.decode(Array(withNonce.prefix(36))) == Ping(sequence: 3, target: target, nonce: nil))
        let request = PingRequest(sequence: 4, target: target, targetAddress: PeerAddress(ipv4: 10, 0, 0, 1, port: 1), nonce: 5)
        #expect(try PingRequest.decode(request.record.value) == request)
    }

    @Test func unknownRecordTypesFromANewerVersionAreKeptOpaque() throws {
        var bytes = build([Record(type: 200, value: [1, 2, 3]), JoinRequest.record])
        bytes[4] = 2 // the next protocol version
        let datagram = try Datagram.decode(bytes, expectedCluster: cluster, maxSize: 1400)
        #expect(datagram.records.map(\.type) == [200, RecordType.joinRequest.rawValue])
    }

    @Test func randomGarbageNeverTraps() {
        var state: UInt64 = 0x1234
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1
            let length = Int(state >> 54)
            var garbage = (0..<length).map { UInt8(truncatingIfNeeded: (state >> UInt64($0 % 56)) &+ UInt64($0)) }
            if garbage.count > 14 { garbage.replaceSubrange(0..<14, with: Datagram.magic + [1, 0] + cluster) }
            _ = try? Datagram.decode(garbage, expectedCluster: cluster, maxSize: 1400)
            for decoder in [{ _ = try Ping.decode(garbage) }, { _ = try PingRequest.decode(garbage) },
                            { _ = try SignedStatement.decode(garbage) }, { _ = try Heartbeat.decode(garbage) },
                            { _ = try Digest.decode(garbage) }, { _ = try Certificate.decode(garbage) },
                            { _ = try VoteBundle.decode(garbage) }] as [() throws -> Void] {
                _ = try? decoder()
            }
        }
    }
}

@Suite struct StatementTests {
    @Test func heartbeatRoundTripsAndSkipsFieldsAppendedByANewerVersion() throws {
        let heartbeat = Heartbeat(
            incarnation: 3, sequence: 99, address: PeerAddress(ipv4: 127, 0, 0, 1, port: 7720), appVersion: "1.2.3",
            protocolVersion: 1, serving: 0, decisionsDigest: [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(try Heartbeat.decode(heartbeat.encoded) == heartbeat)
        var checked = heartbeat
        checked.appHealth = 2
        #expect(try Heartbeat.decode(checked.encoded) == checked)
        #expect(try Heartbeat.decode(checked.encoded + [0xAA, 0xBB]) == checked)
    }

    /// Agents from before health checks hash and relay heartbeats by their bytes: one without a
    /// check must encode exactly as theirs did, and theirs must read as "unknown".
    @Test func aHeartbeatWithoutAHealthCheckKeepsTheEarlierLayout() throws {
        let heartbeat = Heartbeat(
            incarnation: 3, sequence: 99, address: PeerAddress(ipv4: 127, 0, 0, 1, port: 7720), appVersion: "1.2.3",
            protocolVersion: 3, serving: 1, decisionsDigest: [1, 2, 3, 4, 5, 6, 7, 8])
        // incarnation, sequence, IPv4 address (length, 4 bytes, port), version, protocol, serving, digest
        let earlierLayout = 8 + 8 + 7 + 1 + 5 + 1 + 1 + 8
        #expect(heartbeat.encoded.count == earlierLayout)
        var checked = heartbeat
        checked.appHealth = 1
        #expect(checked.encoded == heartbeat.encoded + [1])
        #expect(try Heartbeat.decode(heartbeat.encoded).appHealth == 0)
    }

    @Test func statementRoundTrips() throws {
        let statement = SignedStatement.sign(
            kind: .suspect, body: Accusation(subject: NodeID(bytes: [UInt8](repeating: 1, count: 32))!, incarnation: 4).encoded,
            clusterID: [0, 1, 2, 3, 4, 5, 6, 7], signer: FakeSigner())
        #expect(try SignedStatement.decode(statement.record.value) == statement)
    }

    @Test func oversizedStatementBodyIsRejected() {
        var writer = ByteWriter()
        writer.write(uint8: 1)
        writer.write(bytes: [UInt8](repeating: 0, count: 32))
        writer.write(uint16: 5000)
        #expect(throws: WireError.self) { try SignedStatement.decode(writer.bytes) }
    }

    @Test func ipv6AddressesRoundTrip() throws {
        let address = PeerAddress(ip: [0xfe, 0x80] + [UInt8](repeating: 0, count: 13) + [1], port: 7720)!
        var writer = ByteWriter()
        address.encode(into: &writer)
        var reader = ByteReader(writer.bytes)
        #expect(try PeerAddress.decode(from: &reader) == address)
        #expect(address.description == "[fe80:0:0:0:0:0:0:1]:7720")
    }
}
