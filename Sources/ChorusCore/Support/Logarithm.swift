/// Logarithms for timeout formulas, computed here so the core needs neither Foundation nor libc.
/// Accurate to ~1e-12 for positive finite inputs, which is far more than timeouts need.
public enum Logarithm {
    private static let ln2 = 0.693_147_180_559_945_3
    private static let ln10 = 2.302_585_092_994_046

    public static func natural(_ x: Double) -> Double {
        precondition(x > 0 && x.isFinite, "logarithm of \(x)")
        // x = m * 2^e with m in [1, 2); ln(m) = 2 atanh((m - 1) / (m + 1)), y <= 1/3 converges fast.
        let e = Double(x.exponent)
        let m = x.significand
        let y = (m - 1) / (m + 1)
        let y2 = y * y
        var term = y
        var sum = 0.0
        var k = 1.0
        while abs(term / k) > 1e-17 {
            sum += term / k
            term *= y2
            k += 2
        }
        return e * ln2 + 2 * sum
    }

    public static func base10(_ x: Double) -> Double { natural(x) / ln10 }
}
