import ChorusWire
import NIOConcurrencyHelpers

/// Destinations whose last send failed hard enough to close the socket (EPERM from a firewall,
/// EACCES, ENETUNREACH). Sends to them are skipped for a while, doubling up to a minute, so one
/// bad address, a seed say, cannot keep the socket down for every other peer.
final class SendQuarantine: Sendable {
    private struct Entry {
        var until: ContinuousClock.Instant
        var backoff: Duration
    }

    static let initialBackoff: Duration = .seconds(1)
    static let maximumBackoff: Duration = .seconds(60)
    private let entries = NIOLockedValueBox<[PeerAddress: Entry]>([:])

    func isQuarantined(_ address: PeerAddress, now: ContinuousClock.Instant = .now) -> Bool {
        entries.withLockedValue { ($0[address]?.until).map { now < $0 } ?? false }
    }

    /// Records a failure; returns how long the address is now skipped.
    @discardableResult
    func quarantine(_ address: PeerAddress, now: ContinuousClock.Instant = .now) -> Duration {
        entries.withLockedValue { entries in
            let backoff = entries[address].map { min($0.backoff * 2, Self.maximumBackoff) } ?? Self.initialBackoff
            entries[address] = Entry(until: now + backoff, backoff: backoff)
            return backoff
        }
    }
}
