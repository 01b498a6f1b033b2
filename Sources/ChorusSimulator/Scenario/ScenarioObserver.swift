import ChorusCore

/// Watches a whole scenario run: checks the invariants after every step and notes the
/// membership events as trace lines, collected per command.
struct ScenarioObserver: SimulationObserver {
    var checker: InvariantChecker
    let traceAllSteps: Bool
    /// The event kinds seen since the last `collect()`.
    private(set) var kinds: Set<MembershipEvent.Kind> = []
    private var lines: [String] = []
    /// Joins are many and dull (every node learns every other): one line per joining member.
    private var joins: [(subject: String, count: Int, last: Instant)] = []
    private var upgradeLines = UpgradeTraceLines()

    init(checker: InvariantChecker, traceAllSteps: Bool) {
        self.checker = checker
        self.traceAllSteps = traceAllSteps
    }

    mutating func observe(_ record: StepRecord, in cluster: SimulatedCluster) {
        let known = checker.violations.count
        checker.observe(record, in: cluster)
        for violation in checker.violations[known...] { lines.append("  violation: \(violation)") }
        for event in record.events { kinds.insert(event.kind) }
        let upgrade = upgradeLines.lines(after: record, in: cluster)
        if traceAllSteps {
            let events = (record.events.map(Self.describe) + record.decided.map { "decided slot \($0.slot) \($0.value)" })
                .joined(separator: ", ")
            lines.append("  #\(record.step) \(SimulationTime.format(record.at)) \(cluster.name(of: record.node)) "
                + Self.describe(record.cause, in: cluster) + (events.isEmpty ? "" : ": \(events)"))
            lines += upgrade.map { "    \($0)" }
            return
        }
        let prefix = "  \(SimulationTime.format(record.at)) \(cluster.name(of: record.node)): "
        lines += upgrade.map { prefix + $0 }
        for event in record.events {
            guard event.kind == .memberJoin else {
                lines.append("  \(SimulationTime.format(record.at)) \(cluster.name(of: record.node)): \(Self.describe(event))")
                continue
            }
            if let index = joins.firstIndex(where: { $0.subject == event.member.name }) {
                joins[index].count += 1
                joins[index].last = record.at
            } else {
                joins.append((event.member.name, 1, record.at))
            }
        }
    }

    /// The trace lines since the last call, joins first, and starts afresh.
    mutating func collect() -> [String] {
        let summary = joins.map { join in
            "  \(join.subject) member-join at \(join.count) node\(join.count == 1 ? "" : "s"), the last at "
                + SimulationTime.format(join.last)
        }
        defer {
            lines = []
            joins = []
            kinds = []
        }
        return summary + lines
    }

    private static func describe(_ event: MembershipEvent) -> String {
        let member = event.member
        switch event.kind {
        case .memberUpdate: return "\(member.name) \(event.kind.rawValue) \(member.version) incarnation \(member.incarnation)"
        default: return "\(member.name) \(event.kind.rawValue)"
        }
    }

    private static func describe(_ cause: StepRecord.Cause, in cluster: SimulatedCluster) -> String {
        switch cause {
        case .datagram(let from?): "datagram from \(cluster.name(of: from))"
        case .datagram(nil): "forged datagram"
        case .timer: "timer"
        case .resume: "resume"
        case .boot: "boot"
        case .leave: "leave"
        case .command: "command"
        case .tasks: "tasks ended"
        }
    }
}
