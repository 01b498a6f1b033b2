import ChorusCore
import Testing

@testable import ChorusAgent

@Suite("Metrics exporter")
struct MetricsExporterTests {
    @Test func countersFollowTheCoreTotalsAndStayMonotonic() {
        let exporter = MetricsExporter()
        var counters = CoreCounters()
        counters.datagramsIn = 5
        counters.rejected[.replay] = 1
        #expect(exporter.render(counters: counters, members: []).contains("chorus_datagrams_received_total 5\n"))

        counters.datagramsIn = 8
        counters.rejected[.replay] = 3
        let second = exporter.render(counters: counters, members: [])
        #expect(second.contains("chorus_datagrams_received_total 8\n"))
        #expect(second.contains("chorus_datagrams_rejected_total{reason=\"replay\"} 3\n"))
        #expect(second.contains("chorus_datagrams_rejected_total{reason=\"malformed\"} 0\n"))

        var restarted = CoreCounters()
        restarted.datagramsIn = 2
        #expect(exporter.render(counters: restarted, members: []).contains("chorus_datagrams_received_total 10\n"),
                "a smaller total means a new core: all of it is growth")
    }

    @Test func memberGaugeCountsEveryStatus() {
        let members = [
            FakeStatusSource.member("a", seed: 1),
            FakeStatusSource.member("b", seed: 2),
            FakeStatusSource.member("c", seed: 3, status: .left),
        ]
        let text = MetricsExporter().render(counters: CoreCounters(), members: members)
        #expect(text.contains("chorus_members{status=\"alive\"} 2.0\n"))
        #expect(text.contains("chorus_members{status=\"suspect\"} 0.0\n"))
        #expect(text.contains("chorus_members{status=\"dead\"} 0.0\n"))
        #expect(text.contains("chorus_members{status=\"left\"} 1.0\n"))
    }

    @Test func clusterGaugesAndTheDecisionCounter() {
        let exporter = MetricsExporter()
        var cluster = ClusterSettingsEndpointTests.cluster(after: [.maintenanceOn(message: "backup")])
        cluster.decidedSlots = 4
        exporter.update(cluster: cluster, local: FakeStatusSource.member("a", seed: 1, serving: .draining))
        let text = exporter.render(counters: CoreCounters(), members: [])
        #expect(text.contains("chorus_upgrade_state{state=\"STABLE\"} 1.0\n"))
        #expect(text.contains("chorus_upgrade_state{state=\"MIXED\"} 0.0\n"))
        #expect(text.contains("chorus_maintenance_enabled 1.0\n"))
        #expect(text.contains("chorus_banner_active 0.0\n"))
        #expect(text.contains("chorus_node_draining 1.0\n"))
        #expect(text.contains("chorus_voters 3.0\n"))
        #expect(text.contains("chorus_decisions_total 4\n"))
        cluster.decidedSlots = 6
        exporter.update(cluster: cluster, local: FakeStatusSource.member("a", seed: 1))
        let later = exporter.render(counters: CoreCounters(), members: [])
        #expect(later.contains("chorus_decisions_total 6\n"))
        #expect(later.contains("chorus_node_draining 0.0\n"))
    }
}
