import ChorusCore

/// A broken invariant, with what it takes to replay it: the seed and the step.
public struct Violation: Sendable, Equatable, CustomStringConvertible {
    /// SPEC §11: agreement (1), transitions (2), quorum (3) and tasks (4) over decisions and
    /// the task log, and membership's (5-8), the disruption budget (10); and SPEC §2's
    /// no-amplification rule (reflection),
    /// checked only where the checker is told to (`InvariantChecker.checksReflection`).
    public enum Invariant: String, Sendable, CaseIterable, Comparable {
        case agreement, transitions, quorum, tasks, completeness, accuracy, convergence, integrity
        case budget
        case reflection

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public let invariant: Invariant
    public let seed: UInt64
    public let step: UInt64
    public let at: Instant
    public let detail: String

    public var description: String {
        "seed \(seed) step \(step) at \(SimulationTime.format(at)): \(invariant.rawValue): \(detail)"
    }
}

/// Virtual time as people read and write it.
public enum SimulationTime {
    /// "250ms", "30s", "10m", "1h" (also fractions: "1.5s"); nil for anything else.
    public static func parse(_ text: String) -> Duration? {
        let units: [(suffix: String, nanoseconds: Double)] = [("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        for unit in units where text.hasSuffix(unit.suffix) {
            guard let value = Double(text.dropLast(unit.suffix.count)), value >= 0, value.isFinite else { return nil }
            return .nanoseconds(Int64(value * unit.nanoseconds))
        }
        return nil
    }

    /// Seconds with millisecond precision: "12.345s".
    public static func format(_ instant: Instant) -> String { format(Duration.nanoseconds(instant.nanoseconds)) }

    public static func format(_ duration: Duration) -> String {
        let millis = duration.nanoseconds / 1_000_000
        let sign = millis < 0 ? "-" : ""
        let magnitude = abs(millis)
        let fraction = String(magnitude % 1000)
        return "\(sign)\(magnitude / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)s"
    }
}
