import Synchronization

/// Lets an input cut the timer loop's sleep short. The loop sleeps until the core's next wakeup,
/// not a fixed short interval, so an idle agent wakes only when it has work; when a datagram
/// or a command queues work due earlier (news to gossip), the runtime rings this alarm.
final class WakeAlarm: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Void, Never>)
        /// Rung, or the waiter cancelled before it was installed: the next wait returns at once.
        case rung
    }

    private let state = Mutex(State.idle)

    /// Wakes the sleeper now, or makes the next sleep return at once.
    func ring() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            if case .waiting(let continuation) = state {
                state = .idle
                return continuation
            }
            state = .rung
            return nil
        }
        waiter?.resume()
    }

    /// Sleeps for `duration` or until rung, whichever comes first.
    func sleep(upTo duration: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: duration) }
            group.addTask { await self.waitForRing() }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForRing() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if case .rung = state {
                        state = .idle
                        return true
                    }
                    state = .waiting(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            // The sleep ended first. A waiter is released; if the cancellation came before the
            // waiter was installed, `rung` makes that installation return at once (and go idle).
            let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
                guard case .waiting(let continuation) = state else {
                    state = .rung
                    return nil
                }
                state = .idle
                return continuation
            }
            waiter?.resume()
        }
    }
}
