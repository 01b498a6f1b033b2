import ChorusCore
import ChorusSimulator
import Testing

/// `SimulatedCluster(convergedSize:)`: the start of the scale figures at 10,000 nodes.
@Suite struct ConvergedClusterTests {
    @Test func aConvergedClusterTicksOutOfStepAndStaysQuiet() {
        var cluster = SimulatedCluster(convergedSize: 60, seed: 7)
        let wakeups = Set((0..<60).compactMap { cluster.nextTimer(of: $0) })
        #expect(wakeups.count == 60) // one phase per node, not one instant for all
        #expect(wakeups.allSatisfy { $0 < .zero + MembershipSettings.lan.probeInterval })
        cluster.run(for: .seconds(10))
        for observer in 0..<60 {
            let core = cluster.core(of: observer)
            #expect(core?.counters.suspicionsRaised == 0)
            #expect((0..<60).allSatisfy { $0 == observer || cluster.status(of: $0, seenBy: observer) == .alive })
        }
    }
}
