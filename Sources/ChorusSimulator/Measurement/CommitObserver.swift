import ChorusCore

/// Watches a commit-latency run: when each host decided each slot from `watchedFrom` on.
struct CommitObserver: SimulationObserver {
    var watchedFrom: UInt64 = .max
    private(set) var decidedAt: [UInt64: [Int: Instant]] = [:]

    mutating func observe(_ record: StepRecord, in cluster: SimulatedCluster) {
        for decided in record.decided where decided.slot >= watchedFrom {
            decidedAt[decided.slot, default: [:]][record.node] = record.at
        }
    }
}
