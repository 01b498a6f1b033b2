import ChorusCore

extension SimulatedCluster {
    /// A host that gets too little CPU (a join storm on a small machine, a noisy neighbour):
    /// for `duration` from now it is stopped for `stall` out of every `period`, as a process
    /// waiting in a long run queue is. Each time it runs again its overdue timers fire first,
    /// then it reads what queued in its socket meanwhile (as after `pause`): its timers are late
    /// and its inbox long, yet no stall is long enough to count as one (`stallThreshold`).
    public mutating func starve(_ index: Int, for duration: Duration, stall: Duration, every period: Duration) {
        precondition(stall < period, "seed \(seed): a starved host must run some of each period")
        queue.push(.stall(node: index, until: now + duration, stall: stall, period: period), at: now)
    }

    /// One stall of a starved host; the next is queued one period on, while the starving lasts.
    mutating func stallStarved(_ index: Int, until: Instant, stall: Duration, period: Duration) {
        guard now < until else { return }
        if case .running = hosts[index].process { pause(index, for: min(stall, until - now)) }
        guard hosts[index].isUp, now + period < until else { return }
        queue.push(.stall(node: index, until: until, stall: stall, period: period), at: now + period)
    }
}
