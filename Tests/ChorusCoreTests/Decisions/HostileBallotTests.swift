import ChorusCore
import ChorusWire
import Testing

/// Rounds, slots and terms from a peer are numbers it chose: at the top of their range they
/// saturate or are refused, and the engine keeps deciding (issue 14, item 1).
@Suite struct HostileBallotTests {
    @Test func aPrepareAtTheLastRoundDoesNotTrapTheNextProposal() {
        var harness = DecisionHarness(count: 3)
        harness.run(for: .seconds(2))
        let insider = NodeID(bytes: [UInt8](repeating: 0, count: 32))!
        for index in 0..<3 {
            let slot = harness.engines[index]!.nextSlot
            let answers = harness.engines[index]!.receive(
                .prepare(slot: slot, ballot: Ballot(round: .max, proposer: insider)), from: insider, now: harness.now)
            // The insider is outside the harness: its answers go nowhere.
            harness.handle(answers.filter { if case .send(_, insider) = $0 { false } else { true } }, at: index)
        }
        harness.submit(.startMaintenance(message: "backup"), at: 2, requestID: 1)
        harness.run(for: .seconds(5))
        #expect(harness.outcomes[1] != nil)
        #expect(harness.logsAgree)
    }

    @Test func slotsAndTermsAtTheTopOfTheirRangeAreAnsweredNotTrapped() {
        var harness = DecisionHarness(count: 3)
        harness.run(for: .seconds(2))
        let peer = harness.ids[1]
        for message in [QuorumMessage.prepare(slot: .max, ballot: Ballot(round: 1, proposer: peer)),
                        .catchUp(fromSlot: .max), .refuse(slot: .max, promised: Ballot(round: .max, proposer: peer), nextSlot: .max)] {
            harness.handle(harness.engines[0]!.receive(message, from: peer, now: harness.now), at: 0)
        }
        harness.handle(harness.engines[0]!.peerHasDecided(.max, peer: peer, now: harness.now), at: 0)
        harness.handle(harness.engines[0]!.tasksEnded(term: .max, failure: nil, now: harness.now), at: 0)
        harness.run(for: .seconds(1))
        #expect(harness.logsAgree)
    }

    @Test func aBannerExpiringBeyondTheYear9999IsVoid() {
        var agreed = AgreedState()
        let banner = AnnouncementBanner(message: "hi", level: .info, expiresAt: .max)
        #expect(agreed.voidReason(of: .setBanner(banner), slot: 1) != nil)
        agreed.apply(.found(founder: NodeID(bytes: [UInt8](repeating: 1, count: 32))!, clusterVersion: "1.0.0"), slot: 0)
        let applied = agreed.apply(.setBanner(banner), slot: 1)
        #expect(!applied)
        #expect(agreed.banner == nil)
    }
}
