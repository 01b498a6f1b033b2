import ChorusCore
import ChorusSimulator
import ChorusWire
import Testing

/// Maintenance mode and the banner in the simulator: agreed by a majority under loss and
/// partitions, and the banner's expiry honoured by every host by its own (skewed) wall clock.
@Suite struct ClusterSettingsSimulationTests {
    private func formed(seed: UInt64, checker: inout InvariantChecker) -> SimulatedCluster {
        var cluster = SimulatedCluster(size: 7, seed: seed)
        cluster.run(for: .seconds(10), observer: &checker)
        return cluster
    }

    @Test("maintenance from the minority side of a partition is never decided; from the majority it reaches all after healing")
    func maintenanceNeedsTheMajority() {
        var checker = InvariantChecker(settings: .lan, clusterSize: 7)
        var cluster = formed(seed: 11, checker: &checker)
        cluster.network.partition([0, 1, 2], from: [3, 4, 5, 6])
        cluster.submit(.startMaintenance(message: "from the minority"), at: 1, observer: &checker)
        cluster.run(for: .seconds(8), observer: &checker)
        for index in 0..<7 { #expect(cluster.core(of: index)?.decisions.agreed.maintenanceMessage == nil, "host \(index)") }
        #expect(cluster.commands.last?.outcome == .noQuorum)

        cluster.submit(.startMaintenance(message: "backup"), at: 5, observer: &checker)
        cluster.run(for: .seconds(2), observer: &checker)
        for index in 3..<7 { #expect(cluster.core(of: index)?.decisions.agreed.maintenanceMessage == "backup", "host \(index)") }
        cluster.network.heal()
        cluster.run(for: .seconds(20), observer: &checker)
        for index in 0..<7 { #expect(cluster.core(of: index)?.decisions.agreed.maintenanceMessage == "backup", "host \(index)") }
        #expect(checker.violations.isEmpty, "\(checker.violations)")
    }

    @Test("every host stops serving an expired banner within its own clock's skew of the expiry, at 10% loss")
    func bannerExpiresByEachWallClock() {
        var checker = InvariantChecker(settings: .lan, clusterSize: 7)
        var cluster = formed(seed: 12, checker: &checker)
        let skews: [Int64] = [-3, -2, -1, 0, 1, 2, 3]
        for (index, skew) in skews.enumerated() {
            cluster.setWallClockSkew(index, .seconds(skew))
            cluster.setDrift(index, ppm: skew * 20_000) // monotonic clocks 6% apart as well
        }
        cluster.network.lossRate = 0.10
        let expiry = cluster.trueUnixSeconds + 20
        let banner = AnnouncementBanner(message: "Upgrade tonight", level: .warning, expiresAt: expiry)
        cluster.submit(.setBanner(banner), at: 4, observer: &checker)
        cluster.run(for: .seconds(5), observer: &checker)
        for index in 0..<7 { #expect(cluster.core(of: index)?.activeBanner == banner, "host \(index) does not serve it") }

        // Step one second at a time: host i must serve it until its clock reads the expiry and not after.
        var stoppedAt: [Int: UInt64] = [:]
        while cluster.trueUnixSeconds < expiry + 6 {
            cluster.run(for: .seconds(1), observer: &checker)
            for index in 0..<7 where stoppedAt[index] == nil && cluster.core(of: index)?.activeBanner == nil {
                stoppedAt[index] = cluster.trueUnixSeconds
            }
        }
        for (index, skew) in skews.enumerated() {
            let stopped = Int64(stoppedAt[index] ?? .max)
            // Its wall clock reads expiry when the true time is expiry - skew; ticks come at least every second.
            #expect(stopped >= Int64(expiry) - skew && stopped <= Int64(expiry) - skew + 1,
                    "host \(index) (skew \(skew) s) stopped at \(stopped - Int64(expiry)) s from the expiry")
        }
        #expect(checker.violations.isEmpty, "\(checker.violations)")
    }
}
