/// Median, 99th percentile and maximum of a sample, nearest-rank.
public struct Summary: Sendable, Equatable {
    public let count: Int
    public let median: Double
    public let p99: Double
    public let max: Double

    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        func rank(_ q: Double) -> Double { sorted[Swift.max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1)] }
        count = sorted.count
        median = rank(0.5)
        p99 = rank(0.99)
        max = sorted[sorted.count - 1]
    }
}
