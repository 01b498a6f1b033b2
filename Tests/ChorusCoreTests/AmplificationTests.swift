import ChorusCore
import ChorusWire
import Testing

/// No datagram from an unproven source makes a node send more bytes to that source than it
/// carried (SPEC §2). The attacker captures real traffic and replays it with a spoofed source.
@Suite struct AmplificationTests {
    let fixture = CoreFixture(count: 5)
    let victim = PeerAddress(ipv4: 10, 0, 0, 99, port: 53)

    /// Nodes 0-3 joining through node 0 three seconds apart, then gossiping: every datagram that
    /// crossed between them, in order. Early digests know fewer members than the later nodes.
    func capturedTraffic(for duration: Duration = .seconds(12)) -> (nodes: [MembershipNode], captured: [[UInt8]]) {
        var nodes = [fixture.node(0), fixture.node(1, seeds: [0]), fixture.node(2, seeds: [0]), fixture.node(3, seeds: [0])]
        var started = 0
        var inFlight: [(to: PeerAddress, bytes: [UInt8], from: Int)] = []
        var captured: [[UInt8]] = []
        func post(_ effects: [MembershipEffect], from index: Int) {
            for case .send(let bytes, let address) in effects { inFlight.append((address, bytes, index)) }
        }
        var now = Instant.zero
        while now < .zero + duration {
            if started < nodes.count, now >= .zero + .seconds(3 * Int64(started)) {
                post(nodes[started].start(now: now), from: started)
                started += 1
            }
            now = now + .milliseconds(10)
            let batch = inFlight
            inFlight.removeAll()
            for datagram in batch {
                guard let to = fixture.addresses.firstIndex(of: datagram.to), to < started else { continue }
                captured.append(datagram.bytes)
                post(nodes[to].receive(datagram.bytes, from: fixture.addresses[datagram.from], now: now), from: to)
            }
            for index in 0..<started { post(nodes[index].tick(now: now, unixSeconds: fixture.unixSeconds), from: index) }
        }
        return (nodes, captured)
    }

    static func sender(of bytes: [UInt8]) -> NodeID { NodeID(bytes: Array(bytes[14..<46]))! }

    func bytesSent(to address: PeerAddress, in effects: [MembershipEffect]) -> Int {
        effects.reduce(0) { total, effect in
            if case .send(let bytes, let to) = effect, to == address { return total + bytes.count }
            return total
        }
    }

    @Test func everyCapturedDatagramReplayedFromASpoofedSourceIsAnsweredWithNoMoreBytes() {
        let (nodes, captured) = capturedTraffic()
        var kinds: Set<RecordType> = []
        for bytes in captured { kinds.formUnion(fixture.recordTypes(of: bytes)) }
        #expect(kinds.isSuperset(of: [.joinRequest, .digest, .ping, .ack, .statement]), "the capture lacks a kind: \(kinds)")
        var worst = 0.0
        for bytes in captured {
            for index in nodes.indices {
                // Each replay meets the node as it stands, so every one is answered as the first
                // would be (shedding a repeating source is another defence, tested elsewhere).
                var node = nodes[index]
                let out = bytesSent(to: victim, in: node.receive(bytes, from: victim, now: .zero + .seconds(13)))
                worst = max(worst, Double(out) / Double(bytes.count))
            }
        }
        #expect(worst <= 1.0, "worst reflection ratio \(worst)")
    }

    @Test func aReplayedJoinRequestSendsTheFullStateOnlyToTheJoinerAndOnlyOnce() {
        var (nodes, captured) = capturedTraffic()
        // Node 2's join request to the seed, node 0, replayed at node 1, which never saw it (node
        // 0 refuses copies of what it verified before checking them: `FloodTests`).
        let joinRequest = captured.first { fixture.recordTypes(of: $0).contains(.joinRequest) && Self.sender(of: $0) == fixture.id(2) }!
        var toJoiner = 0
        for step in 0..<50 {
            let effects = nodes[1].receive(joinRequest, from: victim, now: .zero + .seconds(13) + .milliseconds(Int64(step)))
            #expect(bytesSent(to: victim, in: effects) == 0)
            toJoiner += fixture.datagrams(in: effects, to: 2).count
        }
        #expect(toJoiner >= 1 && toJoiner <= 2, "full-state datagrams to the joiner in 50 ms of replays: \(toJoiner)")
    }

    @Test func aPingRequestCannotAimUsAtAnAddressOfItsChoosing() {
        var a = fixture.convergedNode(0, members: [0, 1, 2])
        let aimed = PingRequest(sequence: 7, target: fixture.id(2), targetAddress: victim, nonce: 7)
        let unknown = PingRequest(sequence: 8, target: fixture.id(4), targetAddress: victim, nonce: 8)
        let effects = a.receive(fixture.datagram(from: 1, records: [aimed.record, unknown.record]), from: fixture.addresses[1], now: .ms(1))
        #expect(bytesSent(to: victim, in: effects) == 0)
        #expect(fixture.datagrams(in: effects, to: 2).count == 1, "the known target is pinged where it said it is")
    }
}
