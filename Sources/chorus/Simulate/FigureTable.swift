import ChorusSimulator
import Foundation

/// The scale figures as a Markdown table with a fixed header, one row per run, so results from
/// separate processes concatenate into one table (tools/bench/simulator-scale).
enum FigureTable {
    static let header = """
        | nodes | loss | signatures | joined s | settled s | propagation s (median / p99 / max) | rounds (median / max) | log2 N \
        | detection s (median / p99 / max) | idle msg/node/s | idle B/node/s | all msg/node/s | all B/node/s \
        | false deaths | per node-hour | simulated s | wall s | max RSS MiB |
        |---:|---:|---|---:|---:|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
        """

    static func row(_ figures: ScaleMeasurement.Figures, wallSeconds: Double, maxResidentMiB: Int) -> String {
        let cells = [
            "\(figures.nodes)", "\(Int((figures.loss * 100).rounded()))%", figures.signatures.rawValue,
            figures.start == .converged ? "converged start" : figures.convergedAfter.map { fixed($0, 1) } ?? "never",
            fixed(figures.settledAt, 0),
            triple(figures.propagation), rounds(figures),
            fixed(figures.roundsFloor, 1), triple(figures.detection),
            fixed(figures.idleMessages, 2), fixed(figures.idleBytes, 0),
            fixed(figures.overallMessages, 2), fixed(figures.overallBytes, 0),
            "\(figures.falseDeaths)", fixed(Double(figures.falseDeaths) / figures.nodeHours, 3),
            fixed(figures.simulatedSeconds, 0), fixed(wallSeconds, 1), "\(maxResidentMiB)",
        ]
        return "| " + cells.joined(separator: " | ") + " |"
    }

    private static func triple(_ summary: Summary?) -> String {
        guard let summary else { return "none" }
        return "\(fixed(summary.median, 2)) / \(fixed(summary.p99, 2)) / \(fixed(summary.max, 2)) (n=\(summary.count))"
    }

    private static func rounds(_ figures: ScaleMeasurement.Figures) -> String {
        guard let summary = figures.propagationRounds else { return "none" }
        return "\(fixed(summary.median, 0)) / \(fixed(summary.max, 0))"
    }

    static func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
}

/// The peak memory of this process.
enum ProcessUsage {
    static func maxResidentMiB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }
}
