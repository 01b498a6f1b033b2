import ChorusCore
import ChorusSimulator
import Testing

/// The figures runs' own machinery: the converged start and the commit-latency measurement.
@Suite struct ScaleMeasurementTests {
    @Test("a converged start knows everyone at once, founds no log, and still detects a crash")
    func convergedStart() {
        var cluster = SimulatedCluster(convergedSize: 30, seed: 3)
        for observer in 0..<30 {
            for subject in 0..<30 where subject != observer {
                #expect(cluster.status(of: subject, seenBy: observer) == .alive, "node \(observer) on \(subject)")
            }
        }
        cluster.run(for: .seconds(2))
        cluster.crash(4)
        cluster.run(for: .seconds(8))
        for observer in 0..<30 where observer != 4 {
            #expect(cluster.status(of: 4, seenBy: observer) == .dead, "node \(observer)")
            #expect(cluster.decisionLog(of: observer).isEmpty)
        }
    }

    @Test("commit latency is timed on a cluster of N voters")
    func commitLatency() {
        var measurement = CommitLatencyMeasurement(nodes: 7, seed: 2)
        measurement.samples = 4
        let figures = measurement.run()
        #expect(figures.formedAfter != nil)
        #expect(figures.votersAtEnd == 7)
        #expect(figures.latency?.count == 4)
    }
}
