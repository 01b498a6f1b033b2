import ChorusCore
import ChorusWire
import Testing

/// The disruption budget (SPEC §13, invariant 10): reboot slots for FleetLock clients, granted
/// and released by quorum decisions, never more than `maxUnavailable` at once, and none while a
/// member is already out of service.
@Suite("Disruption budget")
struct DisruptionBudgetTests {
    static let client = "c988d2509fdf4cdcbed39037c56406fb"

    private func outcome(_ command: OperatorCommand, at node: Int, id requestID: UInt64,
                         in harness: inout DecisionHarness) -> CommandOutcome? {
        harness.submit(command, at: node, requestID: requestID)
        harness.run(for: .seconds(1))
        return harness.outcomes[requestID]
    }

    private func holders(_ harness: DecisionHarness) -> [[Int]] {
        harness.engines.map { engine in engine!.agreed.disruptionSlots.map { harness.index(of: $0.holder) } }
    }

    @Test("a slot granted at one node holds everywhere; owned, recursive, and the next node waits for its release")
    func grantRecursionAndRelease() {
        var harness = QuorumDecisionTests.formedCluster()
        guard case .committed(_, .grantSlot(let slot)) = outcome(.acquireRebootSlot(clientID: Self.client, group: "default"),
                                                                 at: 2, id: 1, in: &harness) else {
            Issue.record("no grant: \(String(describing: harness.outcomes[1]))")
            return
        }
        #expect(slot.holder == harness.ids[2] && slot.term == 1)
        #expect(holders(harness) == Array(repeating: [2], count: 5))
        #expect(outcome(.acquireRebootSlot(clientID: Self.client, group: "default"), at: 2, id: 2, in: &harness)
            == .rejected(reason: "client \(Self.client) already holds this node's slot"))
        #expect(outcome(.acquireRebootSlot(clientID: "other", group: "default"), at: 2, id: 3, in: &harness)
            == .rejected(reason: "this node's slot is held by client \(Self.client)"))
        guard case .rejected(let reason) = outcome(.acquireRebootSlot(clientID: "host-4", group: "default"), at: 4, id: 4, in: &harness) else {
            Issue.record("a second slot with a budget of one")
            return
        }
        #expect(reason.hasPrefix("the disruption budget (1 at a time) is spent: out of service"))
        #expect(outcome(.releaseRebootSlot(clientID: "other"), at: 2, id: 5, in: &harness)
            == .rejected(reason: "client other holds no slot on this node"))
        #expect(holders(harness) == Array(repeating: [2], count: 5))
        guard case .committed(_, .releaseSlot(_, 1)) = outcome(.releaseRebootSlot(clientID: Self.client), at: 2, id: 6, in: &harness) else {
            Issue.record("no release: \(String(describing: harness.outcomes[6]))")
            return
        }
        guard case .committed(_, .grantSlot(let next)) = outcome(.acquireRebootSlot(clientID: "host-4", group: "default"),
                                                                 at: 4, id: 7, in: &harness) else {
            Issue.record("no grant after the release")
            return
        }
        #expect(next.term == 2)
        #expect(holders(harness) == Array(repeating: [4], count: 5))
        #expect(harness.logsAgree)
    }

    @Test("members out of service for any reason spend the budget: dead, drained or unhealthy")
    func outOfServiceMembersSpendTheBudget() {
        var harness = QuorumDecisionTests.formedCluster()
        harness.outOfService = [3]
        guard case .rejected(let drained) = outcome(.acquireRebootSlot(clientID: "a", group: "default"), at: 0, id: 1, in: &harness) else {
            Issue.record("granted while node 3 is out of service")
            return
        }
        #expect(drained.contains("out of service \(harness.ids[3].short)"), "\(drained)")
        harness.outOfService = []
        harness.crash(4)
        harness.run(for: .seconds(1))
        guard case .rejected = outcome(.acquireRebootSlot(clientID: "a", group: "default"), at: 0, id: 2, in: &harness) else {
            Issue.record("granted while node 4 is dead")
            return
        }
        // Its own unavailability is what the slot is for: an unhealthy node may still ask.
        harness.boot(4)
        harness.run(for: .seconds(2))
        harness.outOfService = [0]
        guard case .committed = outcome(.acquireRebootSlot(clientID: "a", group: "default"), at: 0, id: 3, in: &harness) else {
            Issue.record("an out-of-service node cannot take its own slot: \(String(describing: harness.outcomes[3]))")
            return
        }
    }

    @Test("a minority side cannot grant a slot")
    func minorityCannotGrant() {
        var harness = QuorumDecisionTests.formedCluster()
        // Asked while every member looked alive, then cut off with one other: the proposal is
        // made, and no majority hears it.
        harness.submit(.acquireRebootSlot(clientID: "a", group: "default"), at: 0, requestID: 1)
        harness.partition([0, 1])
        harness.run(for: .seconds(6))
        #expect(harness.outcomes[1] == .noQuorum)
        for index in 2..<5 { #expect(harness.engines[index]!.agreed.disruptionSlots.isEmpty) }
        harness.heal()
        harness.run(for: .seconds(3))
        #expect(harness.logsAgree)
        // Decided after the heal or not at all, never two at once.
        for engine in harness.engines { #expect(engine!.agreed.disruptionSlots.count <= 1) }
    }

    @Test("two nodes asking at once: one slot is granted, the other asker is refused")
    func concurrentRequests() {
        var harness = QuorumDecisionTests.formedCluster()
        harness.submit(.acquireRebootSlot(clientID: "a", group: "default"), at: 1, requestID: 1)
        harness.submit(.acquireRebootSlot(clientID: "b", group: "default"), at: 3, requestID: 2)
        harness.run(for: .seconds(3))
        let granted = [harness.outcomes[1], harness.outcomes[2]].filter { if case .committed = $0 { true } else { false } }
        #expect(granted.count == 1)
        for engine in harness.engines { #expect(engine!.agreed.disruptionSlots.count == 1) }
        #expect(harness.logsAgree)
    }

    /// What a hostile proposer could get decided changes nothing beyond the budget: every grant
    /// and release is checked against the log when it applies.
    @Test("grants beyond the budget, stale terms, non-voters and wrong releases apply as void")
    func voidGrantsAndReleases() {
        let harness = QuorumDecisionTests.formedCluster()
        var agreed = harness.engines[0]!.agreed
        let (a, b) = (harness.ids[1], harness.ids[2])
        func slot(_ holder: NodeID, term: UInt32) -> DecisionValue {
            .grantSlot(DisruptionSlot(holder: holder, term: term, purpose: .reboot(clientID: "x", group: "default")))
        }
        let next = UInt64(harness.engines[0]!.log.count)
        let skippedTerm = agreed.apply(slot(a, term: 2), slot: next)
        #expect(!skippedTerm, "a term must be the next one")
        let first = agreed.apply(slot(a, term: 1), slot: next)
        #expect(first)
        let beyondBudget = agreed.apply(slot(b, term: 2), slot: next + 1)
        #expect(!beyondBudget, "the budget of one is spent")
        let secondForSame = agreed.apply(slot(a, term: 2), slot: next + 1)
        #expect(!secondForSame, "one slot per member")
        let nonVoter = agreed.apply(slot(NodeID(bytes: [UInt8](repeating: 9, count: 32))!, term: 2), slot: next + 1)
        #expect(!nonVoter)
        let wrongRelease = agreed.apply(.releaseSlot(holder: a, term: 7), slot: next + 1)
        #expect(!wrongRelease, "a release names the grant's term")
        #expect(agreed.disruptionSlots.map(\.holder) == [a])
        var removed = agreed
        _ = removed.apply(.revoke(a), slot: next + 1)
        #expect(removed.disruptionSlots.isEmpty, "a revoked holder's slot is free")
        let release = agreed.apply(.releaseSlot(holder: a, term: 1), slot: next + 1)
        #expect(release)
        #expect(agreed.disruptionSlots.isEmpty && agreed.lastSlotTerm == 1)
    }

    @Test("slot decisions survive the wire; a hostile encoding is refused")
    func wireRoundTrip() throws {
        let values: [DecisionValue] = [
            .grantSlot(DisruptionSlot(holder: NodeID(bytes: [UInt8](repeating: 3, count: 32))!, term: 9,
                                      purpose: .reboot(clientID: Self.client, group: "workers"))),
            .releaseSlot(holder: NodeID(bytes: [UInt8](repeating: 3, count: 32))!, term: 9),
        ]
        for value in values {
            var reader = ByteReader(value.encoded)
            #expect(try DecisionValue.decode(from: &reader) == value)
        }
        var unknownPurpose = values[0].encoded
        unknownPurpose[1 + 32 + 4] = 0xEE
        var reader = ByteReader(unknownPurpose)
        #expect(throws: WireError.self) { try DecisionValue.decode(from: &reader) }
    }
}
