import ChorusCore
import ChorusWire
import Testing

/// A host that cannot keep up (issue 15: 49 agents started at once on 2 cores) runs every
/// input late: its timers fire long after it asked, and what peers sent waits in its socket
/// behind them. Such a node must doubt itself before it accuses others (Lifeguard's local
/// health), and a member that has only just joined must get the chance to answer before it is
/// accused. Written as the starved host: its ticks come 400 ms late (the stall threshold is
/// 1.5 s, so none of this is a stall).
@Suite struct StarvedNodeTests {
    let fixture = CoreFixture(count: 3)
    let late = Duration.milliseconds(400)

    /// What a tick or input returned, with its time.
    typealias Step = (at: Instant, effects: [MembershipEffect])

    /// Ticks `node` every 10 ms through `range` (ms): a node that keeps up.
    func onTime(_ node: inout MembershipNode, _ range: StrideThrough<Int64>) -> [Step] {
        range.map { (Instant.ms($0), node.tick(now: .ms($0), unixSeconds: fixture.unixSeconds)) }
    }

    /// Ticks `node` `late` after every wakeup it asks for, until `end`: a starved node.
    func starved(_ node: inout MembershipNode, until end: Instant) -> [Step] {
        var steps: [Step] = []
        var at = node.nextWakeup + late
        while at <= end {
            steps.append((at, node.tick(now: at, unixSeconds: fixture.unixSeconds)))
            at = max(node.nextWakeup, at + .milliseconds(1)) + late
        }
        return steps
    }

    /// When `kind` was first emitted about node `index` in `steps`.
    func first(_ kind: MembershipEvent.Kind, of index: Int, in steps: [Step]) -> Instant? {
        steps.first { step in
            step.effects.contains { if case .event(let event) = $0 { event.kind == kind && event.member.id == fixture.id(index) } else { false } }
        }?.at
    }

    /// Node 0 of three started from one roster, ticked on time until its first probe (of node 1
    /// or 2, both silent here) fails at 500 ms: it then holds a lone suspicion of that node.
    /// N = 3: minimum 0.75 s, one confirmation expected, so a lone accuser waits the maximum,
    /// 4.5 s: the deadline is 5.0 s.
    func suspecting() throws -> (node: MembershipNode, target: Int) {
        var a = fixture.convergedNode(0, members: [0, 1, 2])
        let steps = onTime(&a, stride(from: 0, through: 500, by: 10))
        let target = try #require([1, 2].first { first(.memberSuspect, of: $0, in: steps) == .ms(500) })
        return (a, target)
    }

    /// The suspect's refutation (its heartbeat at the next incarnation) waits in the starved
    /// node's socket behind the tick that finds the deadline passed; it must still be read before
    /// a verdict.
    @Test func aRefutationQueuedBehindALateTickClearsTheSuspicion() throws {
        var (a, target) = try suspecting()
        // Unchanged, the first late tick at or after 5.0 s (by 5.4 s) would declare it dead.
        var steps = starved(&a, until: .ms(5_500))
        #expect(first(.memberFailed, of: target, in: steps) == nil,
                "declared dead while its refutation waited behind the late tick")
        let refutation = fixture.datagram(from: target, records: [
            Exchange(recipient: fixture.id(0), epoch: 1).record,
            fixture.heartbeat(of: target, incarnation: try #require(a.incarnation(of: fixture.id(target))) + 1, sequence: 0).record,
        ])
        steps.append((.ms(5_500), a.receive(refutation, from: fixture.addresses[target], now: .ms(5_500))))
        #expect(a.status(of: fixture.id(target)) == .alive)
        steps += starved(&a, until: .ms(15_000))
        #expect(first(.memberFailed, of: target, in: steps) == nil)
    }

    /// A starved node does not count the time it was not running against the suspect: a lone
    /// suspicion that would end at 5.0 s on time ends no sooner than 4.5 s (the cap, the
    /// suspicion's maximum) later when every tick is 400 ms late, and a silent node is still
    /// declared dead, soon after.
    @Test func aStarvedNodeDeclaresNoDeathSoonerThanTheTimeItRanAllows() throws {
        var (a, target) = try suspecting()
        let steps = starved(&a, until: .ms(15_000))
        let death = try #require(first(.memberFailed, of: target, in: steps), "a real death is still declared")
        #expect(death >= .ms(9_500), "declared at \(death), counting time the node itself was not running")
        #expect(death <= .ms(9_500) + late * 2, "declared at \(death): the put-off is capped")
    }

    /// On time, the same suspicion ends at its deadline, as before.
    @Test func aNodeOnTimeDeclaresAtTheDeadline() throws {
        var (a, target) = try suspecting()
        let steps = onTime(&a, stride(from: 510, through: 6_000, by: 10))
        #expect(first(.memberFailed, of: target, in: steps) == .ms(5_000))
    }

    /// Late inputs raise local health, one step per probe interval at most, up to the ceiling;
    /// a node on time stays healthy.
    @Test func lateTicksRaiseLocalHealth() {
        var alone = fixture.node(0)
        _ = alone.start(now: .zero)
        var onTimeNode = alone
        _ = onTime(&onTimeNode, stride(from: 0, through: 5_000, by: 10))
        #expect(onTimeNode.localHealth == 0)
        let steps = starved(&alone, until: .ms(1_000))
        #expect(alone.localHealth >= 1)
        #expect(alone.localHealth <= steps.count)
        _ = starved(&alone, until: .ms(60_000))
        #expect(alone.localHealth == MembershipSettings.lan.maxLocalHealth)
    }

    /// A member admitted a moment ago is still starting up (at N = 50 in a join storm it
    /// verifies 49 certificates while 48 others do the same on the same CPUs): its silence to
    /// the probes of its first `newcomerGrace` (1.5 s on lan) accuses it of nothing. Node 1
    /// joins through node 0 at 0 ms and then answers nothing.
    @Test func aJustJoinedMemberIsNotSuspectedBeforeItHadItsGrace() {
        var (a, _) = fixture.joinedPair()
        let steps = onTime(&a, stride(from: 0, through: 1_490, by: 10))
        #expect(first(.memberSuspect, of: 1, in: steps) == nil, "accused before it had a chance to answer")
        let after = onTime(&a, stride(from: 1_500, through: 3_000, by: 10))
        #expect(first(.memberSuspect, of: 1, in: after) != nil, "a newcomer silent past its grace is suspected")
    }
}
