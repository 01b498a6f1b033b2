import ChorusCore
import ChorusWire

/// Watches a measured run: who has joined whom, when each node first learned the news being
/// timed, and every death declared about a node that is in fact running.
struct FigureObserver: SimulationObserver {
    /// What is being timed: one subject and the event that shows a node has the news.
    struct Watch {
        let subject: NodeID
        let startedAt: Instant
        let matches: @Sendable (MembershipEvent) -> Bool
        var learnedAt: [Int: Instant] = [:]
        /// Relay generations: 1 for a node told by the subject itself, n + 1 for one told by a
        /// node at n. The gossip rounds the news needed, however short the rounds were.
        var hops: [Int: Int] = [:]
    }

    private(set) var joinsSeen: [Int]
    var watch: Watch?
    /// Every `member-failed` about a running node: when, who declared it, about whom, and why
    /// that node handled a step (its own timer: it was the first to give up; a datagram: told).
    private(set) var falseDeaths: [(at: Instant, node: Int, subject: Int, cause: StepRecord.Cause)] = []
    var countFalseDeaths = false

    init(size: Int) { joinsSeen = Array(repeating: 0, count: size) }

    var minimumJoinsSeen: Int { joinsSeen.min() ?? 0 }

    mutating func observe(_ record: StepRecord, in cluster: SimulatedCluster) {
        for event in record.events {
            if event.kind == .memberJoin { joinsSeen[record.node] += 1 }
            if countFalseDeaths, event.kind == .memberFailed, let subject = cluster.index(of: event.member.id),
               cluster.isRunning(subject) {
                falseDeaths.append((record.at, record.node, subject, record.cause))
            }
            if var current = watch, event.member.id == current.subject, current.learnedAt[record.node] == nil,
               current.matches(event) {
                current.learnedAt[record.node] = record.at
                if case .datagram(let sender?) = record.cause { current.hops[record.node] = (current.hops[sender] ?? 0) + 1 }
                watch = current
            }
        }
    }
}
