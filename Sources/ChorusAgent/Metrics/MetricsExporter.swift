import ChorusCore
import Prometheus
import Synchronization

/// Turns the core's counters and member list into Prometheus text for `GET /metrics`.
///
/// The core keeps plain totals (`CoreCounters`); Prometheus counters only go up, so each render
/// adds the growth since the previous render. Renders are serialised by a lock so two concurrent
/// scrapes cannot add the same growth twice.
public final class MetricsExporter: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let members: [MemberStatus: Gauge]
    private let counters: [(any KeyPath<CoreCounters, UInt64> & Sendable, Counter)]
    private let rejected: [RejectReason: Counter]
    private let lastSeen = Mutex(CoreCounters())
    private let upgradeStates: [UpgradeState: Gauge]
    private let maintenanceEnabled: Gauge
    private let bannerActive: Gauge
    private let nodeDraining: Gauge
    private let voters: Gauge
    private let decisions: Counter
    private let lastDecided = Mutex(UInt64(0))
    private let certificateExpiry: Gauge
    private let certificatesExpiring: Gauge

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        let membersName = MetricNameDescriptor(
            namespace: "chorus", metricName: "members", unitName: "", helpText: "Members known to this node, by status.")
        members = Dictionary(uniqueKeysWithValues: MemberStatus.allCases.map { status in
            (status, registry.makeGauge(descriptor: membersName, labels: [("status", status.rawValue)]))
        })
        func counter(_ name: String, _ help: String) -> Counter {
            registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "chorus", metricName: name, unitName: "total", helpText: help))
        }
        counters = [
            (\.datagramsIn, counter("datagrams_received", "UDP datagrams received.")),
            (\.datagramsOut, counter("datagrams_sent", "UDP datagrams sent.")),
            (\.bytesIn, counter("bytes_received", "Bytes received in UDP datagrams.")),
            (\.bytesOut, counter("bytes_sent", "Bytes sent in UDP datagrams.")),
            (\.probesSent, counter("probes_sent", "Direct liveness probes sent.")),
            (\.probesFailed, counter("probes_failed", "Probes that got no acknowledgement in time.")),
            (\.indirectProbesSent, counter("indirect_probes", "Indirect probes requested through other members.")),
            (\.suspicionsRaised, counter("suspicions", "Members this node started to suspect.")),
            (\.refutations, counter("refutations", "Suspicions of this node it refuted.")),
            (\.suspicionChecks, counter("suspicion_checks", "Accusations this node handed to a suspect it did not probe.")),
            (\.membersDeclaredDead, counter("members_declared_dead", "Members this node declared dead.")),
            (\.certificateRequests, counter("certificate_requests", "Peers asked for a certificate this node lacked.")),
            (\.repliesWithheld, counter("replies_withheld", "Answers not sent: larger than what an unproven source sent.")),
        ]
        let rejectedName = MetricNameDescriptor(
            namespace: "chorus", metricName: "datagrams_rejected", unitName: "total",
            helpText: "Datagrams dropped before they could change state, by reason.")
        rejected = Dictionary(uniqueKeysWithValues: RejectReason.allCases.map { reason in
            (reason, registry.makeCounter(descriptor: rejectedName, labels: [("reason", reason.rawValue)]))
        })
        func gauge(_ name: String, _ help: String) -> Gauge {
            registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "chorus", metricName: name, unitName: "", helpText: help))
        }
        let stateName = MetricNameDescriptor(
            namespace: "chorus", metricName: "upgrade_state", unitName: "",
            helpText: "1 for the cluster upgrade state this node derives, 0 for the others.")
        upgradeStates = Dictionary(uniqueKeysWithValues: UpgradeState.allCases.map { state in
            (state, registry.makeGauge(descriptor: stateName, labels: [("state", state.rawValue)]))
        })
        maintenanceEnabled = gauge("maintenance_enabled", "1 while cluster-wide maintenance mode is on.")
        bannerActive = gauge("banner_active", "1 while this node serves an announcement banner.")
        nodeDraining = gauge("node_draining", "1 while this node is drained (or leaving).")
        voters = gauge("voters", "Voting members; a majority of them must agree on every decision.")
        decisions = counter("decisions", "Decisions this node has applied (log slots, including restored ones).")
        certificateExpiry = gauge("certificate_expires_at_seconds", "When this node's certificate expires, Unix seconds.")
        certificatesExpiring = gauge("certificates_expiring",
                                     "Members (this node included) whose certificate expires within 14 days or has expired.")
    }

    /// Per node, not per member: one alert rule (`chorus_certificates_expiring > 0`) covers the
    /// cluster without a label for every member.
    public func updateCertificates(members: [MemberSnapshot], unixSeconds: UInt64) {
        if let local = members.first(where: \.isLocal) { certificateExpiry.set(Int64(clamping: local.certificateExpiresAt)) }
        certificatesExpiring.set(Int64(CertificateExpiry.expiring(members, unixSeconds: unixSeconds).count))
    }

    /// Sets the cluster and node gauges; the decision counter grows by the slots decided since the last render.
    public func update(cluster: ClusterSnapshot, local: MemberSnapshot) {
        for (state, gauge) in upgradeStates { gauge.set(Int64(state == cluster.status.state ? 1 : 0)) }
        maintenanceEnabled.set(Int64(cluster.agreed.maintenanceMessage != nil ? 1 : 0))
        bannerActive.set(Int64(cluster.banner != nil ? 1 : 0))
        nodeDraining.set(Int64(local.serving != .serving ? 1 : 0))
        voters.set(Int64(cluster.agreed.voters.count))
        lastDecided.withLock { last in
            decisions.increment(by: Self.growth(from: last, to: cluster.decidedSlots))
            last = cluster.decidedSlots
        }
    }

    /// Updates every metric from the given snapshot and returns the registry in text format.
    public func render(counters current: CoreCounters, members snapshots: [MemberSnapshot]) -> String {
        for (status, gauge) in members {
            gauge.set(Int64(snapshots.count { $0.status == status }))
        }
        return lastSeen.withLock { last in
            for (path, counter) in counters {
                counter.increment(by: Self.growth(from: last[keyPath: path], to: current[keyPath: path]))
            }
            for (reason, counter) in rejected {
                counter.increment(by: Self.growth(from: last.rejected[reason] ?? 0, to: current.rejected[reason] ?? 0))
            }
            last = current
            return registry.emitToString()
        }
    }

    /// A total below the last one means the core was replaced (an agent restart inside the process):
    /// its whole total is new growth.
    private static func growth(from last: UInt64, to current: UInt64) -> Int64 {
        Int64(clamping: current >= last ? current - last : current)
    }
}
