/// A token bucket on the caller's clock: `capacity` tokens, refilled at `perSecond`.
struct TokenBucket: Sendable {
    let capacity: Double
    let perSecond: Double
    private(set) var tokens: Double
    private var updatedAt: Instant

    init(capacity: Double, perSecond: Double, now: Instant) {
        self.capacity = capacity
        self.perSecond = perSecond
        tokens = capacity
        updatedAt = now
    }

    /// Takes one token if there is one.
    mutating func take(now: Instant) -> Bool {
        refill(now: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    mutating func drain(now: Instant) {
        refill(now: now)
        tokens = max(0, tokens - 1)
    }

    func hasTokens(now: Instant) -> Bool {
        tokens + elapsedSeconds(until: now) * perSecond >= 1
    }

    func isFull(now: Instant) -> Bool {
        tokens + elapsedSeconds(until: now) * perSecond >= capacity
    }

    private mutating func refill(now: Instant) {
        tokens = min(capacity, tokens + elapsedSeconds(until: now) * perSecond)
        updatedAt = max(updatedAt, now)
    }

    private func elapsedSeconds(until now: Instant) -> Double {
        now > updatedAt ? Double((now - updatedAt).nanoseconds) / 1e9 : 0
    }
}
