import ChorusCore
import ChorusSimulator
import ChorusWire
import Testing

/// A voter that left for good, whose tombstone every agent has reaped, stays nameable and
/// removable by name (issue 16: it was `unknown-member` forever, and every upgrade was refused
/// with "voter 74a0d63631693767 is not alive").
@Suite struct DepartedVoterTests {
    @Test func aReapedLeaverIsListedByNameAndRemovedByName() {
        var settings = MembershipSettings.lan
        settings.tombstoneDuration = .seconds(20)
        var checker = InvariantChecker(settings: settings, clusterSize: 5)
        var cluster = SimulatedCluster(size: 5, seed: 16, settings: settings)
        cluster.run(for: .seconds(10), observer: &checker)
        let leaver = cluster.nodeID(of: 4)
        #expect(cluster.agreedState(of: 0)?.voters.count == 5, "the cluster did not form")

        cluster.leave(4, observer: &checker)
        cluster.run(for: .seconds(40), observer: &checker)
        let core = cluster.core(of: 0)!
        #expect(core.snapshot(of: leaver) == nil, "the leaver's tombstone was not reaped")
        let listed = core.departedVoterSnapshots
        #expect(listed.map(\.name) == [cluster.name(of: 4)], "the reaped voter must be listed by its name")
        #expect(listed.first?.isKnown == false)
        #expect(core.clusterSnapshot.voterNames.contains(cluster.name(of: 4)))

        // What the operator hit first: the upgrade refused, naming the voter by key id.
        let start = cluster.submit(.startUpgrade, at: 1, observer: &checker)
        cluster.run(for: .seconds(1), observer: &checker)
        guard case .rejected(let reason) = cluster.commands.first(where: { $0.requestID == start })?.outcome else {
            Issue.record("starting with a departed voter must be refused")
            return
        }
        #expect(reason.contains("voter \(cluster.name(of: 4)) is not alive"), "\(reason)")

        let removal = cluster.submit(.removeMember(leaver, keepKey: false), at: 2, observer: &checker)
        cluster.run(for: .seconds(2), observer: &checker)
        guard case .committed = cluster.commands.first(where: { $0.requestID == removal })?.outcome else {
            Issue.record("the reaped voter's removal must commit")
            return
        }
        for index in 0..<4 {
            #expect(cluster.agreedState(of: index)?.voters.contains(leaver) == false, "host \(index)")
            #expect(cluster.core(of: index)?.departedVoterSnapshots.isEmpty == true, "host \(index) still lists it")
        }
        cluster.submit(.startUpgrade, at: 3, observer: &checker)
        cluster.run(for: .seconds(2), observer: &checker)
        #expect(cluster.upgradeState(of: 0) == .readyToUpgrade)
        #expect(checker.violations.isEmpty, "\(checker.violations)")
    }
}
