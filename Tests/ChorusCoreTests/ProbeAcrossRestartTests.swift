import ChorusCore
import ChorusWire
import Testing

/// A probe speaks only for the life of the target it was sent to. Seen in real agents
/// (tools/upgrade-compat, a capture of loopback): node-3 pinged node-1 at 49.073, the test had
/// just killed node-1 (-9); node-1 was declared dead at 49.166 and restarted at 49.313 under
/// incarnation 3; node-3's probe, whose pings and helpers had all gone to the dead process,
/// ended at 49.573 and accused incarnation 3, a life it never probed. Every agent then held the
/// restarted node suspect until it refuted. The same happens when a node leaves gracefully and
/// is back within a probe's window.
@Suite struct ProbeAcrossRestartTests {
    let fixture = CoreFixture(count: 3)

    func suspected(in effects: [MembershipEffect]) -> [NodeID] {
        effects.compactMap { if case .event(let event) = $0, event.kind == .memberSuspect { return event.member.id } else { return nil } }
    }

    /// Node 0 of a converged three, its first probe sent at 0 ms; the index of the target.
    func probing() throws -> (MembershipNode, Int) {
        var a = fixture.convergedNode(0, members: [0, 1, 2])
        let ping = a.tick(now: .zero, unixSeconds: fixture.unixSeconds)
        let target = try #require([1, 2].first { fixture.datagrams(in: ping, to: $0).contains { fixture.recordTypes(of: $0).contains(.ping) } })
        return (a, target)
    }

    /// The target's next process (incarnation 2) joins through node 0 at `at`.
    func restart(_ target: Int, into a: inout MembershipNode, at time: Int64) {
        var next = fixture.node(target, seeds: [0], restoredIncarnation: 1, at: .ms(time))
        let join = next.start(now: .ms(time))
        _ = fixture.deliver(join, from: target, to: 0, node: &a, at: .ms(time))
    }

    @Test func aProbeOfAKilledProcessDoesNotAccuseItsRestart() throws {
        var (a, target) = try probing()
        // The ping went to a process that was just killed; its next one joins at 300 ms.
        var effects = stride(from: 10, through: 290, by: 10).flatMap { a.tick(now: .ms($0), unixSeconds: fixture.unixSeconds) }
        restart(target, into: &a, at: 300)
        #expect(a.incarnation(of: fixture.id(target)) == 2)
        effects += stride(from: 310, through: 990, by: 10).flatMap { a.tick(now: .ms($0), unixSeconds: fixture.unixSeconds) }
        #expect(!suspected(in: effects).contains(fixture.id(target)), "accused incarnation 2 for the silence of incarnation 1")
        #expect(a.status(of: fixture.id(target)) == .alive)
    }

    @Test func aProbeOfANodeThatLeftAndCameBackDoesNotAccuseIt() throws {
        var (a, target) = try probing()
        // The target leaves gracefully at 100 ms (its leave reaches node 0) and is back at 300 ms.
        var leaving = fixture.convergedNode(target, members: [0, 1, 2])
        _ = fixture.deliver(leaving.leave(now: .ms(100)), from: target, to: 0, node: &a, at: .ms(100))
        #expect(a.status(of: fixture.id(target)) == .left)
        restart(target, into: &a, at: 300)
        #expect(a.status(of: fixture.id(target)) == .alive)
        let effects = stride(from: 310, through: 990, by: 10).flatMap { a.tick(now: .ms($0), unixSeconds: fixture.unixSeconds) }
        #expect(!suspected(in: effects).contains(fixture.id(target)))
    }

    @Test func aProbeOfTheSameLifeStillAccuses() throws {
        var (a, target) = try probing()
        // No restart: the silent target is suspected at the probe's end, at the incarnation probed.
        let effects = stride(from: 10, through: 500, by: 10).flatMap { a.tick(now: .ms($0), unixSeconds: fixture.unixSeconds) }
        #expect(suspected(in: effects) == [fixture.id(target)])
    }
}
