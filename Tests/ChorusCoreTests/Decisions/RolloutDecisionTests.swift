import ChorusCore
import ChorusWire
import Testing

/// Rollouts as decisions (SPEC §13): each voter takes its own turn when the log says it is due,
/// one at a time with a budget of one, and its shell ends it; nothing drives the others.
@Suite("Rollout decisions")
struct RolloutDecisionTests {
    static func plan(first: [NodeID] = [], approve: Bool = false) -> RolloutPlan {
        RolloutPlan(targetVersion: "1.1.0", maxUnavailable: 1, approve: approve, order: first)
    }

    /// Ends node `index`'s announced turn (its shell's word) and lets the cluster decide it.
    private func endTurn(of index: Int, failure: String? = nil, in harness: inout DecisionHarness) {
        guard let turn = harness.announcedTurns.last(where: { $0.node == index })?.turn else {
            Issue.record("\(index) has no turn")
            return
        }
        harness.rolloutTurnEnded(at: index, term: turn.term, failure: failure)
        harness.run(for: .milliseconds(500))
    }

    private func inTurn(_ harness: DecisionHarness) -> [Int] {
        harness.engines[0]!.agreed.disruptionSlots.map { harness.index(of: $0.holder) }
    }

    @Test("every voter takes its turn, the named ones first, each announced to that node alone")
    func everyVoterInTurn() {
        var harness = QuorumDecisionTests.formedCluster()
        harness.submit(.startRollout(Self.plan(first: [harness.ids[3], harness.ids[1]])), at: 4, requestID: 1)
        harness.run(for: .seconds(1))
        var order: [Int] = []
        for _ in 0..<5 {
            let holders = inTurn(harness)
            #expect(holders.count == 1, "one at a time: \(holders)")
            guard let holder = holders.first else { break }
            order.append(holder)
            #expect(harness.announcedTurns.filter { $0.turn != nil }.map(\.node).last == holder)
            endTurn(of: holder, in: &harness)
        }
        #expect(Array(order.prefix(2)) == [3, 1])
        #expect(Set(order) == Set(0..<5))
        for engine in harness.engines {
            #expect(engine!.agreed.rollout?.status == .finished)
            #expect(engine!.agreed.disruptionSlots.isEmpty && engine!.agreed.maxUnavailable == 1)
        }
        #expect(harness.announcedTurns.allSatisfy { entry in entry.turn.map { $0.toVersion == "1.1.0" && $0.fromVersion == "1.0.0" } ?? true })
        #expect(harness.logsAgree)
    }

    /// A FleetLock client names itself: one that calls itself what the rollout is called must
    /// neither be told it holds the rollout's slot (its host would reboot mid-turn, and stay down
    /// after the turn ends and the next node goes out) nor release it.
    @Test("a FleetLock client named like the rollout gets nothing of the rollout's slot")
    func aClientCannotPassForTheRollout() {
        var harness = QuorumDecisionTests.formedCluster()
        harness.submit(.startRollout(Self.plan(first: [harness.ids[2]])), at: 0, requestID: 1)
        harness.run(for: .seconds(1))
        #expect(inTurn(harness) == [2])
        let impostor = DisruptionSlot.Purpose.rollout(attempt: 1).holderDescription
        harness.submit(.acquireRebootSlot(clientID: impostor, group: "default"), at: 2, requestID: 2)
        harness.submit(.releaseRebootSlot(clientID: impostor), at: 2, requestID: 3)
        harness.run(for: .seconds(1))
        #expect(harness.outcomes[2] == .rejected(reason: "this node's slot is held by the rollout"))
        #expect(harness.outcomes[3] == .rejected(reason: "client \(impostor) holds no slot on this node"))
        #expect(inTurn(harness) == [2])
    }

    @Test("a failed turn halts the rollout; a resume gives that node a second attempt")
    func failedTurnHaltsAndResumeRetries() {
        var harness = QuorumDecisionTests.formedCluster()
        harness.submit(.startRollout(Self.plan(first: [harness.ids[2]])), at: 0, requestID: 1)
        harness.run(for: .seconds(1))
        #expect(inTurn(harness) == [2])
        endTurn(of: 2, failure: "exit 3: migration failed", in: &harness)
        harness.run(for: .seconds(2))
        #expect(harness.engines[1]!.agreed.rollout?.status == .halted(member: harness.ids[2], reason: "exit 3: migration failed"))
        #expect(inTurn(harness).isEmpty, "nothing else is taken out")
        harness.submit(.resumeRollout, at: 3, requestID: 2)
        harness.run(for: .seconds(1))
        #expect(inTurn(harness) == [2])
        #expect(harness.announcedTurns.last?.turn?.attempt == 2)
    }

    @Test("paused, no turn starts; aborted, none starts again and the budget is back to one")
    func pauseAndAbort() {
        var harness = QuorumDecisionTests.formedCluster()
        harness.submit(.startRollout(RolloutPlan(targetVersion: "1.1.0", maxUnavailable: 2, approve: false, order: [])),
                       at: 0, requestID: 1)
        harness.run(for: .seconds(1))
        #expect(inTurn(harness).count == 2, "a budget of two takes two at once")
        harness.submit(.pauseRollout, at: 1, requestID: 2)
        harness.run(for: .seconds(1))
        for holder in inTurn(harness) { endTurn(of: holder, in: &harness) }
        harness.run(for: .seconds(2))
        #expect(inTurn(harness).isEmpty)
        harness.submit(.abortRollout, at: 2, requestID: 3)
        harness.run(for: .seconds(1))
        #expect(harness.engines[4]!.agreed.rollout?.status == .aborted)
        #expect(harness.engines[4]!.agreed.maxUnavailable == 1)
        harness.submit(.resumeRollout, at: 0, requestID: 4)
        #expect(harness.outcomes[4] == .rejected(reason: "no rollout is paused or halted"))
        harness.run(for: .seconds(2))
        #expect(inTurn(harness).isEmpty)
    }

    /// What a hostile proposer could get decided changes nothing: every rollout value is checked
    /// against the log when it applies.
    @Test("turns out of order, stale attempts, foreign ends and a second start apply as void")
    func hostileRolloutValues() {
        var harness = QuorumDecisionTests.formedCluster()
        harness.submit(.startRollout(Self.plan(first: [harness.ids[1]])), at: 0, requestID: 1)
        harness.run(for: .seconds(1))
        var agreed = harness.engines[0]!.agreed
        let next = UInt64(harness.engines[0]!.log.count)
        let holder = harness.ids[1]
        let term = agreed.lastSlotTerm
        func grant(_ member: NodeID, attempt: UInt32) -> DecisionValue {
            .grantSlot(DisruptionSlot(holder: member, term: term + 1, purpose: .rollout(attempt: attempt)))
        }
        #expect(agreed.voidReason(of: grant(harness.ids[3], attempt: 1), slot: next) != nil, "not its turn, budget spent")
        #expect(agreed.voidReason(of: .endRolloutTurn(holder: harness.ids[3], term: term, failure: nil), slot: next) != nil)
        #expect(agreed.voidReason(of: .endRolloutTurn(holder: holder, term: term + 5, failure: nil), slot: next) != nil)
        #expect(agreed.voidReason(of: .startRollout(Self.plan()), slot: next) == "a rollout is under way; abort it first")
        #expect(agreed.voidReason(of: .resumeRollout, slot: next) == "no rollout is paused or halted")
        let ended = agreed.apply(.endRolloutTurn(holder: holder, term: term, failure: nil), slot: next)
        #expect(ended)
        #expect(agreed.voidReason(of: grant(harness.ids[1], attempt: 2), slot: next + 1) != nil, "done, no second turn")
        let due = agreed.rollout!.due(among: agreed.voters)[0]
        #expect(agreed.voidReason(of: grant(due, attempt: 2), slot: next + 1) == "stale rollout attempt 2")
        #expect(agreed.voidReason(of: grant(due, attempt: 1), slot: next + 1) == nil)
    }

    @Test("a minority side cannot start a rollout")
    func minorityCannotStart() {
        var harness = QuorumDecisionTests.formedCluster()
        harness.submit(.startRollout(Self.plan()), at: 0, requestID: 1)
        harness.partition([0, 1])
        harness.run(for: .seconds(6))
        #expect(harness.outcomes[1] == .noQuorum)
        for index in 2..<5 { #expect(harness.engines[index]!.agreed.rollout == nil) }
    }
}
