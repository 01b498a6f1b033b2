import ChorusCore
import ChorusWire
import Testing

/// A probe whose deadlines passed while the prober itself was not running (a long input ahead
/// of the timer, a CPU taken by others, yet below the stall threshold) must not accuse its
/// target: the target's ack may be waiting in the prober's socket behind the late tick. Seen in
/// real agents (tools/upgrade-compat, a capture of loopback): node-2 sent ping #7 at 13.196,
/// node-1 acked at 13.383, node-2 was busy until 13.817 persisting a decision, and its timer
/// then sent the indirect probes and failed the probe in the same tick, before the queued ack
/// was read: node-1 suspected, everywhere, for 20 ms of its life.
@Suite struct LateProbeTests {
    let fixture = CoreFixture(count: 3)

    /// Three nodes started from one converged roster: each knows the others (and can help probe them).
    func threeJoined() -> (MembershipNode, [MembershipNode]) {
        (fixture.convergedNode(0, members: [0, 1, 2]), [1, 2].map { fixture.convergedNode($0, members: [0, 1, 2]) })
    }

    /// The members `effects` report suspect.
    func suspected(in effects: [MembershipEffect]) -> [NodeID] {
        effects.compactMap { if case .event(let event) = $0, event.kind == .memberSuspect { return event.member.id } else { return nil } }
    }

    /// Ticks node 0 every 10 ms over `range` (ms); nothing is delivered.
    func ticks(_ a: inout MembershipNode, _ range: StrideThrough<Int64>) -> [MembershipEffect] {
        range.flatMap { a.tick(now: .ms($0), unixSeconds: fixture.unixSeconds) }
    }

    /// Node 0's first probe at 0 ms: the index (1 or 2) of its target and the ack the target
    /// sends back at 1 ms, not yet delivered.
    func probeAndAck(_ a: inout MembershipNode, _ others: inout [MembershipNode]) throws -> (target: Int, ack: [UInt8]) {
        let ping = a.tick(now: .zero, unixSeconds: fixture.unixSeconds)
        let target = try #require([1, 2].first { fixture.datagrams(in: ping, to: $0).contains { fixture.recordTypes(of: $0).contains(.ping) } })
        let answer = fixture.deliver(ping, from: 0, to: target, node: &others[target - 1], at: .ms(1))
        return (target, try #require(fixture.datagrams(in: answer, to: 0).first))
    }

    /// lan: indirect probes at 200 ms, the probe ends at 500 ms. Node 0 next runs at 700 ms,
    /// late by 500 ms (the stall threshold is 1.5 s), with the ack, sent at 1 ms, queued behind:
    /// either both timers were missed, or the indirect probes went out on time and only the end
    /// is read late.
    @Test(arguments: [false, true])
    func anAckQueuedBehindALateTickStillAnswersTheProbe(indirectProbesOnTime: Bool) throws {
        var (a, others) = threeJoined()
        let (target, ack) = try probeAndAck(&a, &others)
        if indirectProbesOnTime { _ = a.tick(now: .ms(200), unixSeconds: fixture.unixSeconds) }
        let late = a.tick(now: .ms(700), unixSeconds: fixture.unixSeconds)
        #expect(!late.events.contains(.memberSuspect), "accused at the late tick, before reading the ack")
        _ = a.receive(ack, from: fixture.addresses[target], now: .ms(701))
        // The next probe (from 710 ms) goes to the other node, which is silent here: only the target counts.
        let after = ticks(&a, stride(from: 710, through: 1_500, by: 10))
        #expect(!suspected(in: late + after).contains(fixture.id(target)))
        #expect(a.status(of: fixture.id(target)) == .alive)
    }

    @Test func helpersGetTheirWholeWindowWhenTheIndirectProbesGoOutLate() throws {
        var (a, others) = threeJoined()
        let (target, _) = try probeAndAck(&a, &others) // the direct ack is lost
        let late = a.tick(now: .ms(700), unixSeconds: fixture.unixSeconds)
        let helper = 3 - target
        let request = fixture.datagrams(in: late, to: helper)
        #expect(!request.isEmpty, "the late tick asks the other node to probe")
        #expect(!late.events.contains(.memberSuspect))
        // The helper pings the target, which acks; the helper relays the ack within the window.
        let ping = request.flatMap { others[helper - 1].receive($0, from: fixture.addresses[0], now: .ms(710)) }
        let ack = fixture.deliver(ping, from: helper, to: target, node: &others[target - 1], at: .ms(720))
        let relayed = fixture.deliver(ack, from: target, to: helper, node: &others[helper - 1], at: .ms(730))
        _ = fixture.deliver(relayed, from: helper, to: 0, node: &a, at: .ms(740))
        let after = ticks(&a, stride(from: 750, through: 1_500, by: 10))
        #expect(!suspected(in: late + after).contains(fixture.id(target)))
        #expect(a.status(of: fixture.id(target)) == .alive)
    }

    @Test func aSilentTargetIsStillSuspectedAfterALateTimer() throws {
        var (a, others) = threeJoined()
        let (target, _) = try probeAndAck(&a, &others) // nothing is delivered: the target and the helper are gone
        // The late tick also raised local health, which stretches the helpers' window (to 1.3 s).
        let events = ticks(&a, stride(from: 700, through: 1_500, by: 10))
        #expect(suspected(in: events) == [fixture.id(target)], "lateness postpones the verdict, it does not cancel it")
    }

    @Test func aTimerReadOnTimeFailsTheProbeAsBefore() throws {
        var (a, others) = threeJoined()
        let (target, _) = try probeAndAck(&a, &others)
        // Ticked every 10 ms: never late, so the probe fails at its end (500 ms), not later.
        let events = ticks(&a, stride(from: 10, through: 500, by: 10))
        #expect(suspected(in: events) == [fixture.id(target)])
    }
}
