import ChorusCore

/// Keeps every membership event of a run with when and where it happened.
public struct EventRecorder: SimulationObserver {
    public private(set) var events: [(at: Instant, node: Int, event: MembershipEvent)] = []

    public init() {}

    public mutating func observe(_ record: StepRecord, in cluster: SimulatedCluster) {
        for event in record.events { events.append((record.at, record.node, event)) }
    }
}

/// Shows each step to two observers in turn.
public struct ObserverPair<First: SimulationObserver, Second: SimulationObserver>: SimulationObserver {
    public var first: First
    public var second: Second

    public init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
    }

    public mutating func observe(_ record: StepRecord, in cluster: SimulatedCluster) {
        first.observe(record, in: cluster)
        second.observe(record, in: cluster)
    }
}
