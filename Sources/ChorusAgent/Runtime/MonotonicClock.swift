import ChorusCore
import Foundation

/// The shell's clocks: a monotonic one for protocol timers (immune to wall-clock steps) and the
/// wall clock for certificate expiry.
struct MonotonicClock: Sendable {
    private let origin = ContinuousClock.now

    func now() -> Instant { Instant(nanoseconds: (ContinuousClock.now - origin).nanoseconds) }

    func unixSeconds() -> UInt64 { Self.unixSeconds() }

    /// An earlier (or later) instant of this clock on the wall clock, as of now.
    func unixMilliseconds(at instant: Instant) -> UInt64 {
        let nowMilliseconds = max(0, Date().timeIntervalSince1970 * 1_000)
        let ago = Double((now() - instant).nanoseconds) / 1_000_000
        return UInt64(max(0, nowMilliseconds - ago))
    }

    static func unixSeconds() -> UInt64 { UInt64(max(0, Date().timeIntervalSince1970)) }
}
