import ChorusCore
import Foundation

/// The shell's clocks: a monotonic one for protocol timers (immune to wall-clock steps) and the
/// wall clock for certificate expiry.
struct MonotonicClock: Sendable {
    private let origin = ContinuousClock.now

    func now() -> Instant { Instant(nanoseconds: (ContinuousClock.now - origin).nanoseconds) }

    func unixSeconds() -> UInt64 { Self.unixSeconds() }

    static func unixSeconds() -> UInt64 { UInt64(max(0, Date().timeIntervalSince1970)) }
}
