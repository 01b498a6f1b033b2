import ChorusCore
import ChorusWire
import Testing

/// A voter that is behind (it missed a decision and cannot store it: a full disk) refuses every
/// proposal for a later slot. Its refusal names no competing ballot, so it must not stop a round
/// that the other voters can still win: with a full disk under one agent of three, every command
/// elsewhere timed out (503) when its refusal came in before the second promise.
@Suite struct LaggingVoterTests {
    static func messages(in effects: [DecisionOutput], to peer: NodeID) -> [QuorumMessage] {
        effects.flatMap { effect -> [QuorumMessage] in
            guard case .send(let records, peer) = effect else { return [] }
            return records.compactMap { try? QuorumMessage.decode($0) }
        }
    }

    @Test func aRefusalFromAVoterBehindTheProposerDoesNotStopTheRound() throws {
        var harness = DecisionHarness(count: 3)
        harness.run(for: .seconds(2))
        harness.partition([2])
        harness.submit(.startMaintenance(message: "one"), at: 0, requestID: 1)
        harness.run(for: .seconds(1))
        let lagging = try #require(harness.engines[2]?.nextSlot)
        try #require(harness.engines[0]!.nextSlot == lagging + 1, "node 2 missed a decision")

        let now = harness.now
        let proposing = harness.engines[0]!.submit(.endMaintenance, requestID: 2, now: now, members: harness.view(of: 0))
        guard case .prepare(let slot, let ballot)? = Self.messages(in: proposing, to: harness.ids[1]).first else {
            Issue.record("no prepare to node 1")
            return
        }
        let refusal = harness.engines[2]!.receive(.prepare(slot: slot, ballot: ballot), from: harness.ids[0], now: now)
        let refused = Self.messages(in: refusal, to: harness.ids[0])
        #expect(refused.contains { if case .refuse(_, nil, lagging) = $0 { true } else { false } })
        for message in refused { _ = harness.engines[0]!.receive(message, from: harness.ids[2], now: now) }

        let promise = harness.engines[1]!.receive(.prepare(slot: slot, ballot: ballot), from: harness.ids[0], now: now)
        var accepts: [QuorumMessage] = []
        for message in Self.messages(in: promise, to: harness.ids[0]) {
            let effects = harness.engines[0]!.receive(message, from: harness.ids[1], now: now)
            accepts += Self.messages(in: effects, to: harness.ids[1]).filter { if case .accept = $0 { true } else { false } }
        }
        #expect(accepts.count == 1, "the proposer backed off on the lagging voter's refusal")
    }
}
