import ChorusCore
import ChorusSimulator
import ChorusWire
import Testing

/// Protocol 3 binds each datagram to its recipient and to its sender's process (issue 14, item
/// 2). Written as the replayer would: capture a proposer's Paxos message in flight and send it
/// where, or when, it was not meant to arrive; the acceptor it reaches must not move.
@Suite struct ExchangeBindingTests {
    static let command = OperatorCommand.startMaintenance(message: "backup")

    /// A cluster of three that has formed, with nothing in flight.
    static func formedCluster(seed: UInt64) -> SimulatedCluster {
        var cluster = SimulatedCluster(size: 3, seed: seed, tapped: true)
        cluster.run(for: .seconds(8))
        return cluster
    }

    /// A captured datagram, decoded (bytes 6..<14 are the cluster id it claims).
    static func decode(_ bytes: [UInt8]) -> Datagram? {
        try? Datagram.decode(bytes, expectedCluster: Array(bytes[6..<14]), maxSize: 1400)
    }

    /// The Paxos messages (prepare or accept) among `captures`.
    static func proposals(_ captures: [[UInt8]]) -> [[UInt8]] {
        captures.filter { bytes in
            decode(bytes)?.records.contains { $0.type == RecordType.prepare.rawValue || $0.type == RecordType.accept.rawValue } ?? false
        }
    }

    @Test func aProposalCapturedOnItsWayToOneAcceptorMovesNoOther() throws {
        var cluster = Self.formedCluster(seed: 3)
        var observer = NoObserver()
        cluster.network.partition([2], from: [0, 1])
        try #require(cluster.submit(Self.command, at: 0, observer: &observer) != nil)
        let proposal = try #require(Self.proposals(cluster.captures(from: 0, to: 1)).last)
        let before = cluster.acceptorState(of: 2)
        // Node 2 never got its own copy (partitioned); it gets node 1's, from node 0's address.
        cluster.replay(proposal, to: 2, asFrom: 0)
        cluster.run(for: .milliseconds(1))
        #expect(cluster.acceptorState(of: 2) == before, "a proposal addressed to node 1 moved node 2's acceptor")
        #expect(cluster.core(of: 2)?.counters.rejected[.misdirected] == 1)
    }

    @Test func aProposalFromAnEarlierProcessOfItsProposerMovesNobody() throws {
        var cluster = Self.formedCluster(seed: 4)
        var observer = NoObserver()
        // Node 0 proposes while cut off from everyone: the attacker holds its messages.
        cluster.network.partition([0], from: [1, 2])
        try #require(cluster.submit(Self.command, at: 0, observer: &observer) != nil)
        let proposal = try #require(Self.proposals(cluster.captures(from: 0, to: 1)).last)
        cluster.crash(0)
        cluster.network.heal()
        cluster.restart(0, observer: &observer)
        cluster.run(for: .seconds(3))
        try #require(cluster.view(of: 0, seenBy: 1)?.incarnation == cluster.incarnation(of: 0),
                     "node 1 knows node 0's new process")
        let before = cluster.acceptorState(of: 1)
        cluster.replay(proposal, to: 1, asFrom: 0)
        cluster.run(for: .milliseconds(1))
        #expect(cluster.acceptorState(of: 1) == before, "a proposal of node 0's previous process moved node 1's acceptor")
        #expect((cluster.core(of: 1)?.counters.rejected[.replay] ?? 0) >= 1)
    }

    /// A forger who names a member's id with an epoch past any real one does not lock that
    /// member's genuine datagrams out: only a datagram whose signature verified moves the epoch.
    @Test func aForgedLaterEpochLocksNobodyOut() {
        let fixture = CoreFixture(count: 2)
        var node = fixture.convergedNode(0, members: [0, 1])
        let forger = CoreFixture(count: 3, seed: 99).identities[2].signer
        let forged = fixture.datagram(from: 1, records: [Exchange(recipient: fixture.id(0), epoch: .max).record,
                                                         fixture.heartbeat(of: 1, incarnation: 1, sequence: 5).record],
                                      signer: forger, withCertificate: false)
        _ = node.receive(forged, from: fixture.addresses[1], now: .ms(1))
        #expect(node.counters.rejected[.badSignature] == 1)
        let genuine = fixture.datagram(from: 1, records: [Exchange(recipient: fixture.id(0), epoch: 1).record,
                                                          fixture.heartbeat(of: 1, incarnation: 1, sequence: 6).record],
                                       withCertificate: false)
        _ = node.receive(genuine, from: fixture.addresses[1], now: .ms(2))
        #expect(node.counters.rejected[.replay] == nil, "the member's own process was refused after a forgery")
        #expect(node.counters.rejected.values.reduce(0, +) == 1)
    }

    @Test func aJoinRequestToASeedNamesNoRecipientAndEverythingElseNamesOne() throws {
        var cluster = SimulatedCluster(size: 3, seed: 5, tapped: true)
        cluster.run(for: .seconds(8))
        for sender in 0..<3 {
            for receiver in 0..<3 where receiver != sender {
                for bytes in cluster.captures(from: sender, to: receiver) {
                    let datagram = try #require(Self.decode(bytes))
                    let exchange = try #require(try datagram.exchange(), "every datagram carries an exchange")
                    #expect(exchange.isFor(cluster.nodeID(of: receiver)))
                    #expect(exchange.recipient != Exchange.anyRecipient || datagram.records.contains { $0.type == RecordType.joinRequest.rawValue })
                    #expect(exchange.epoch >= 1 && exchange.epoch <= cluster.incarnation(of: sender))
                }
            }
        }
    }
}
