import ChorusCore

extension SeededRandom {
    /// A uniform draw in [0, 1) with 53 bits of precision.
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }
}
