import ChorusCore

/// Times each sudden death in a run: from the crash until the last node that was running when the
/// timing closed (one detection bound later) declared it dead. Crashes some running node never
/// declared in that time (partitions, reboots) are not timed; the checker judges those.
struct DetectionTimer: SimulationObserver {
    private struct Pending {
        let node: Int
        let crashedAt: Instant
        var declaredBy: Set<Int> = []
        var lastDeclaredAt: Instant?
    }

    let bound: Duration
    private(set) var seconds: [Double] = []
    private var pending: [Pending] = []
    private var crashesSeen = 0

    init(bound: Duration) { self.bound = bound }

    mutating func observe(_ record: StepRecord, in cluster: SimulatedCluster) {
        while crashesSeen < cluster.crashes.count {
            pending.append(Pending(node: cluster.crashes[crashesSeen].node, crashedAt: cluster.crashes[crashesSeen].at))
            crashesSeen += 1
        }
        for event in record.events where event.kind == .memberFailed {
            guard let subject = cluster.index(of: event.member.id) else { continue }
            for index in pending.indices where pending[index].node == subject {
                pending[index].declaredBy.insert(record.node)
                pending[index].lastDeclaredAt = record.at
            }
        }
        while let first = pending.first, record.at - first.crashedAt >= bound {
            pending.removeFirst()
            let everyone = (0..<cluster.size).allSatisfy {
                $0 == first.node || !cluster.isRunning($0) || first.declaredBy.contains($0)
            }
            if everyone, cluster.lastBoot(of: first.node) < first.crashedAt, let last = first.lastDeclaredAt {
                seconds.append(Double((last - first.crashedAt).nanoseconds) / 1e9)
            }
        }
    }
}
