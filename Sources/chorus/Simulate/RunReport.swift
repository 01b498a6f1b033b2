import ChorusSimulator

/// The invariant report of one simulated run, and the totals of many.
enum RunReport {
    static func render(_ result: RandomFaultRun.Result) -> String {
        var lines = ["seed \(result.seed): \(result.nodes) nodes, \(SimulationTime.format(result.simulated)) simulated, "
                     + "\(result.steps) steps, signatures ed25519"]
        let faults = result.faults.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }
        lines.append("  faults: " + (faults.isEmpty ? "none" : faults.joined(separator: ", ")))
        lines.append("  checks: " + Violation.Invariant.allCases.filter { $0 != .reflection || result.checks[$0] != nil }
            .map { "\($0.rawValue) \(result.checks[$0] ?? 0)" }
            .joined(separator: ", "))
        lines.append("  figures: " + figures(detection: result.detectionSeconds, datagrams: result.datagramsSent,
                                              bytes: result.bytesSent, nodeSeconds: Self.nodeSeconds(result)))
        if result.faults[.start] != nil { lines.append("  upgrades finished: \(result.upgradesFinished)") }
        lines.append("  violations: \(result.violations.count)")
        lines += result.violations.map { "    \($0)" }
        return lines.joined(separator: "\n")
    }

    static func nodeSeconds(_ result: RandomFaultRun.Result) -> Double {
        Double(result.nodes) * Double(result.simulated.components.seconds)
    }

    /// Detection of the timed crashes, and what each node sent per second on average.
    static func figures(detection: [Double], datagrams: UInt64, bytes: UInt64, nodeSeconds: Double) -> String {
        let timed = Summary(detection).map {
            "detection s median \(FigureTable.fixed($0.median, 2)) p99 \(FigureTable.fixed($0.p99, 2)) "
                + "max \(FigureTable.fixed($0.max, 2)) (\($0.count) crashes)"
        } ?? "no crash timed"
        let perNode = max(nodeSeconds, 1)
        return "\(timed); sent per node per second: \(FigureTable.fixed(Double(datagrams) / perNode, 2)) datagrams, "
            + "\(FigureTable.fixed(Double(bytes) / perNode, 0)) bytes"
    }
}

struct RunTotals {
    var runs = 0
    var steps: UInt64 = 0
    var simulated: Duration = .zero
    var faults: [RandomFaultRun.Fault: Int] = [:]
    var checks: [Violation.Invariant: Int] = [:]
    var violations = 0
    var detection: [Double] = []
    var datagrams: UInt64 = 0
    var bytes: UInt64 = 0
    var nodeSeconds = 0.0
    var upgradesFinished = 0

    mutating func add(_ result: RandomFaultRun.Result) {
        detection += result.detectionSeconds
        datagrams += result.datagramsSent
        bytes += result.bytesSent
        nodeSeconds += RunReport.nodeSeconds(result)
        runs += 1
        steps += result.steps
        simulated += result.simulated
        faults.merge(result.faults, uniquingKeysWith: +)
        checks.merge(result.checks, uniquingKeysWith: +)
        violations += result.violations.count
        upgradesFinished += result.upgradesFinished
    }

    func render(wall: Double) -> String {
        var lines: [String] = [
            "\(runs) seeds, \(SimulationTime.format(simulated)) simulated, \(steps) steps, wall \(Int(wall.rounded())) s",
            "  faults: " + faults.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "),
            "  checks: " + Violation.Invariant.allCases.filter { $0 != .reflection || checks[$0] != nil }
                .map { "\($0.rawValue) \(checks[$0] ?? 0)" }.joined(separator: ", "),
            "  figures: " + RunReport.figures(detection: detection, datagrams: datagrams, bytes: bytes, nodeSeconds: nodeSeconds),
        ]
        if faults[.start] != nil { lines.append("  upgrades finished: \(upgradesFinished)") }
        lines.append("  violations: \(violations)")
        return lines.joined(separator: "\n")
    }
}
