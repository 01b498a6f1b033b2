import ChorusCore
import ChorusWire
import Testing

/// A member with a valid certificate signs whatever numbers it likes. None may trap a core or
/// put an honest member beyond its own refutation (issue 14, item 1).
@Suite struct HostileNumbersTests {
    let fixture = CoreFixture(count: 3)

    func accusation(by accuser: Int, of subject: Int, at incarnation: UInt64, _ kind: SignedStatement.Kind = .suspect) -> Record {
        fixture.statement(by: accuser, kind, body: Accusation(subject: fixture.id(subject), incarnation: incarnation).encoded).record
    }

    @Test func anAccusationOfUsAtTheTopOfTheRangeIsRefusedNotObeyed() {
        var a = fixture.convergedNode(0, members: [0, 1, 2])
        for kind in [SignedStatement.Kind.suspect, .dead] {
            let lie = fixture.datagram(from: 1, records: [accusation(by: 1, of: 0, at: .max, kind)])
            let effects = a.receive(lie, from: fixture.addresses[1], now: .ms(1))
            #expect(effects.persistedIncarnations.isEmpty)
        }
        #expect(a.localMember.incarnation == 1)
        #expect(a.counters.rejected[.outOfRange] == 2)
    }

    @Test func anAccusationOfAnotherMemberFarAboveItsHeartbeatIsNotBelieved() {
        var a = fixture.convergedNode(0, members: [0, 1, 2])
        for incarnation in [UInt64.max, IncarnationBounds.maximum, 1 + IncarnationBounds.accusationLead + 1] {
            let lie = fixture.datagram(from: 1, records: [accusation(by: 1, of: 2, at: incarnation, .dead)])
            #expect(a.receive(lie, from: fixture.addresses[1], now: .ms(1)).events.isEmpty)
        }
        #expect(a.status(of: fixture.id(2)) == .alive)
        #expect(a.counters.rejected[.outOfRange] == 3)
    }

    @Test func anAccusationWithinTheLeadIsRefutedAboveIt() {
        var a = fixture.convergedNode(0, members: [0, 1, 2])
        let ahead = 1 + IncarnationBounds.accusationLead
        let effects = a.receive(fixture.datagram(from: 1, records: [accusation(by: 1, of: 0, at: ahead)]),
                                from: fixture.addresses[1], now: .ms(1))
        #expect(effects.persistedIncarnations == [ahead + 1])
    }

    @Test func everyMemberRefutesAnInsidersAccusationWithinTheLead() {
        var b = fixture.convergedNode(1, members: [0, 1, 2])
        let ahead = 1 + IncarnationBounds.accusationLead
        _ = b.receive(fixture.datagram(from: 2, records: [accusation(by: 2, of: 0, at: ahead)]), from: fixture.addresses[2], now: .ms(1))
        #expect(b.status(of: fixture.id(0)) == .suspect)
        let refutation = fixture.heartbeat(of: 0, incarnation: ahead + 1, sequence: 0)
        _ = b.receive(fixture.datagram(from: 0, records: [refutation.record]), from: fixture.addresses[0], now: .ms(2))
        #expect(b.status(of: fixture.id(0)) == .alive)
    }

    /// The health byte is the signer's word on its own application; a value this protocol does
    /// not define (3 to 255) reads as unknown, neither failing nor healthy, and traps nothing.
    @Test func aHealthByteBeyondTheProtocolReadsAsUnknown() {
        var a = fixture.convergedNode(0, members: [0, 1, 2])
        let failing = fixture.heartbeat(of: 1, incarnation: 1, sequence: 100, appHealth: 2)
        _ = a.receive(fixture.datagram(from: 1, records: [failing.record]), from: fixture.addresses[1], now: .ms(1))
        #expect(a.snapshot(of: fixture.id(1))?.health == .unhealthy)
        for (offset, byte) in [UInt8(3), 200, 255].enumerated() {
            let heartbeat = fixture.heartbeat(of: 1, incarnation: 1, sequence: 101 + UInt64(offset), appHealth: byte)
            _ = a.receive(fixture.datagram(from: 1, records: [heartbeat.record]), from: fixture.addresses[1], now: .ms(Int64(2 + offset)))
            #expect(a.snapshot(of: fixture.id(1))?.health == .unknown, "byte \(byte)")
            #expect(a.status(of: fixture.id(1)) == .alive)
        }
    }

    @Test func aHeartbeatAboveTheMaximumIsRejected() {
        var a = fixture.convergedNode(0, members: [0, 1, 2])
        let heartbeat = fixture.heartbeat(of: 1, incarnation: IncarnationBounds.maximum + 1, sequence: 0)
        _ = a.receive(fixture.datagram(from: 1, records: [heartbeat.record]), from: fixture.addresses[1], now: .ms(1))
        #expect(a.incarnation(of: fixture.id(1)) == 1)
        #expect(a.counters.rejected[.outOfRange] == 1)
    }

    @Test func aRefutationSaturatesAtTheMaximum() {
        var a = fixture.node(0, restoredIncarnation: IncarnationBounds.maximum - 1)
        #expect(a.start(now: .zero).persistedIncarnations == [IncarnationBounds.maximum])
        let corrupt = fixture.node(0, restoredIncarnation: .max)
        #expect(corrupt.localMember.incarnation == IncarnationBounds.maximum)
        let effects = a.receive(fixture.datagram(from: 1, records: [accusation(by: 1, of: 0, at: IncarnationBounds.maximum)]),
                                from: fixture.addresses[1], now: .ms(1))
        #expect(effects.persistedIncarnations == [IncarnationBounds.maximum])
    }
}
