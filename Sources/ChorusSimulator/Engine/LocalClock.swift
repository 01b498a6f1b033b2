import ChorusCore

/// A host's monotonic clock as a function of virtual time: its own origin (monotonic clocks of
/// different hosts share no epoch) and a rate error in parts per million (drift). Cores only
/// ever see their local readings, so a core that compared instants across hosts, or assumed
/// its timers run at the true rate, shows up in the simulator.
public struct LocalClock: Sendable, Equatable {
    /// The local reading at virtual time zero.
    public var origin: Int64
    /// +1000 runs 0.1% fast. Bounded to ±10% so readings stay monotonic and in range.
    public var driftPPM: Int64 {
        didSet { driftPPM = min(max(driftPPM, -100_000), 100_000) }
    }

    public init(origin: Int64 = 0, driftPPM: Int64 = 0) {
        self.origin = origin
        self.driftPPM = min(max(driftPPM, -100_000), 100_000)
    }

    /// What the host reads at virtual time `virtual`.
    func local(at virtual: Instant) -> Instant {
        let t = Int128(virtual.nanoseconds)
        return Instant(nanoseconds: Int64(Int128(origin) + t + t * Int128(driftPPM) / 1_000_000))
    }

    /// The earliest virtual time at which the host reads `local` or later.
    func virtual(reaching local: Instant) -> Instant {
        let elapsed = Int128(local.nanoseconds) - Int128(origin)
        let rate = Int128(1_000_000 + driftPPM)
        var t = (elapsed * 1_000_000 + rate - 1) / rate
        // Integer division may land one nanosecond short of the reading; step forward.
        while self.local(at: Instant(nanoseconds: Int64(t))) < local { t += 1 }
        return Instant(nanoseconds: Int64(t))
    }
}
