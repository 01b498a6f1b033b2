import ChorusCore
import ChorusWire
import Testing

@Suite("Automatic decisions: voters take turns, one grace period apart")
struct AutomaticTurnTests {
    /// Five voters and a sixth member on another major version, so it is not admissible yet.
    static func clusterWithAWaitingMember() -> DecisionHarness {
        var harness = DecisionHarness(count: 6)
        harness.versions[5] = "2.0.0"
        harness.boot(5)
        harness.run(for: .seconds(20))
        #expect(harness.engines[1]?.agreed.voters.count == 5)
        return harness
    }

    /// Who sent a prepare, by when, relative to `start`.
    static func proposers(in harness: DecisionHarness, from start: Instant, before end: Duration) -> Set<Int> {
        Set(harness.sent.filter { batch in
            batch.at < start + end && batch.records.contains { $0.type == RecordType.prepare.rawValue }
        }.map(\.from))
    }

    @Test("the first in line admits at once; when it is silent the second steps in after one grace, not everyone")
    func votersTakeTurns() {
        var harness = Self.clusterWithAWaitingMember()
        let grace = harness.settings.automaticGrace
        let voters = harness.engines[1]!.agreed.voters.map(harness.index(of:))
        // The first in line still looks alive to everyone, but nothing it sends arrives.
        let first = voters[0]
        for peer in 0..<6 where peer != first { harness.cuts.insert([first, peer]) }
        harness.sent = []
        let start = harness.now
        harness.versions[5] = "1.0.0"
        harness.boot(5)
        harness.run(for: grace * 2 + .milliseconds(500))
        let others = Self.proposers(in: harness, from: start, before: grace * 2).subtracting([first])
        #expect(others == [voters[1]], "proposers other than the silent first: \(others)")
        #expect(Self.proposers(in: harness, from: start, before: grace - .milliseconds(100)).subtracting([first]).isEmpty)
        #expect(harness.engines[voters[1]]?.agreed.voters.count == 6)
    }
}
