/// When a node that has not joined sends its join requests again: at once, then after a backoff
/// that doubles from `joinRetryInitial` up to `joinRetryMax`.
struct JoinRetry {
    private(set) var nextAt: Instant
    private var backoff: Duration
    private let initial: Duration
    private let maximum: Duration

    init(now: Instant, initial: Duration, maximum: Duration) {
        nextAt = now
        backoff = initial
        self.initial = initial
        self.maximum = maximum
    }

    /// Whether the requests are due at `now`; if so, the next try is scheduled.
    mutating func isDue(now: Instant) -> Bool {
        guard now >= nextAt else { return false }
        nextAt = now + backoff
        backoff = min(backoff * 2, maximum)
        return true
    }

    /// Join again from the start, as a new node would (a keyring grant made us one).
    mutating func restart(now: Instant) {
        nextAt = now
        backoff = initial
    }
}
