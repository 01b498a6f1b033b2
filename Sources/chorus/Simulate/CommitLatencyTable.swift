import ChorusSimulator
import Foundation

/// The commit-latency figures (issue 4) as a Markdown table, one row per cluster size.
enum CommitLatencyTable {
    static let header = """
        | nodes | signatures | formed s | voters | formation B/node/s | commit ms (median / p99 / max) \
        | bytes per command | simulated s | wall s | max RSS MiB |
        |---:|---|---:|---:|---:|---|---:|---:|---:|---:|
        """

    static func row(_ figures: CommitLatencyMeasurement.Figures, wallSeconds: Double, maxResidentMiB: Int) -> String {
        let latency = figures.latency.map {
            "\(FigureTable.fixed($0.median, 1)) / \(FigureTable.fixed($0.p99, 1)) / \(FigureTable.fixed($0.max, 1)) (n=\($0.count))"
        } ?? "none"
        let cells = [
            "\(figures.nodes)", figures.signatures.rawValue, figures.formedAfter.map { FigureTable.fixed($0, 1) } ?? "never",
            "\(figures.votersAtEnd)", FigureTable.fixed(figures.formationBytesPerNodePerSecond, 0), latency,
            figures.bytesPerCommand.map { FigureTable.fixed($0, 0) } ?? "none",
            FigureTable.fixed(figures.simulatedSeconds, 0), FigureTable.fixed(wallSeconds, 1), "\(maxResidentMiB)",
        ]
        return "| " + cells.joined(separator: " | ") + " |"
    }
}
