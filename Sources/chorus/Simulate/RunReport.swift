import ChorusSimulator

/// The invariant report of one simulated run, and the totals of many.
enum RunReport {
    static func render(_ result: RandomFaultRun.Result) -> String {
        var lines = ["seed \(result.seed): \(result.nodes) nodes, \(SimulationTime.format(result.simulated)) simulated, "
                     + "\(result.steps) steps, signatures ed25519"]
        let faults = result.faults.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }
        lines.append("  faults: " + (faults.isEmpty ? "none" : faults.joined(separator: ", ")))
        lines.append("  checks: " + Violation.Invariant.allCases.map { "\($0.rawValue) \(result.checks[$0] ?? 0)" }
            .joined(separator: ", "))
        lines.append("  violations: \(result.violations.count)")
        lines += result.violations.map { "    \($0)" }
        return lines.joined(separator: "\n")
    }
}

struct RunTotals {
    var runs = 0
    var steps: UInt64 = 0
    var simulated: Duration = .zero
    var faults: [RandomFaultRun.Fault: Int] = [:]
    var checks: [Violation.Invariant: Int] = [:]
    var violations = 0

    mutating func add(_ result: RandomFaultRun.Result) {
        runs += 1
        steps += result.steps
        simulated += result.simulated
        faults.merge(result.faults, uniquingKeysWith: +)
        checks.merge(result.checks, uniquingKeysWith: +)
        violations += result.violations.count
    }

    func render(wall: Double) -> String {
        [
            "\(runs) seeds, \(SimulationTime.format(simulated)) simulated, \(steps) steps, wall \(Int(wall.rounded())) s",
            "  faults: " + faults.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "),
            "  checks: " + Violation.Invariant.allCases.map { "\($0.rawValue) \(checks[$0] ?? 0)" }.joined(separator: ", "),
            "  violations: \(violations)",
        ].joined(separator: "\n")
    }
}
