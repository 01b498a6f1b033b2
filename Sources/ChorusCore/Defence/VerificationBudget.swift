import ChorusWire

/// Bounds the signature checks anyone can make this node do (SPEC §2, "Hostile networks").
///
/// A datagram costs a decode (cheap) before its sender's signature is checked (an Ed25519
/// verification, about 50 µs). A source that has shown it speaks for the sender it names (the
/// address the sender signed into its heartbeat, or an earlier datagram from that sender there
/// that verified) keeps being checked until it has sent `failureBurst` datagrams that failed,
/// refilled at `failuresPerSecond`: honest members never fail, so their traffic is never limited,
/// however bursty (a full-state answer). Any other source pays for every attempt, from a bucket of
/// its own and from one shared by all strangers, so a flood from any number of addresses costs
/// at most `strangersPerSecond` checks a second after the bursts. What is refused is counted as
/// `shed`; nothing here touches local health, so shed traffic never reads as our own slowness.
struct VerificationBudget: Sendable {
    static let failureBurst = 32.0
    static let failuresPerSecond = 8.0
    static let strangerBurst = 32.0
    static let strangerPerSecond = 16.0
    static let strangersBurst = 256.0
    static let strangersPerSecond = 128.0
    /// Per-source state is bounded; past it, idle buckets are dropped, and a source that still
    /// finds no room is charged to the strangers' bucket alone.
    static let maxTrackedSources = 4096

    private var failures: [PeerAddress: TokenBucket] = [:]
    private var attempts: [PeerAddress: TokenBucket] = [:]
    private var strangers: TokenBucket?
    /// Sources where a datagram from the named sender verified.
    private var provenSenders: [PeerAddress: NodeID] = [:]

    /// Whether a datagram naming `sender`, from `source`, may have its signature checked now.
    /// `advertised` is the address `sender` signed into the heartbeat we hold, if any.
    mutating func admits(source: PeerAddress, sender: NodeID, advertised: PeerAddress?, now: Instant) -> Bool {
        if advertised == source || provenSenders[source] == sender {
            if let bucket = failures[source] { return bucket.hasTokens(now: now) }
            return true
        }
        var shared = strangers ?? TokenBucket(capacity: Self.strangersBurst, perSecond: Self.strangersPerSecond, now: now)
        defer { strangers = shared }
        guard let own = Self.bucket(&attempts, source, capacity: Self.strangerBurst, perSecond: Self.strangerPerSecond, now: now) else {
            return shared.take(now: now)
        }
        var mine = own
        defer { attempts[source] = mine }
        guard mine.hasTokens(now: now), shared.hasTokens(now: now) else { return false }
        return mine.take(now: now) && shared.take(now: now)
    }

    /// Whether a source that just failed may have one more record of its datagram checked.
    func admitsAnotherCheck(source: PeerAddress, now: Instant) -> Bool {
        failures[source]?.hasTokens(now: now) ?? true
    }

    /// A signature or certificate from `source` failed to verify.
    mutating func recordFailure(source: PeerAddress, now: Instant) {
        provenSenders[source] = nil
        guard var own = Self.bucket(&failures, source, capacity: Self.failureBurst, perSecond: Self.failuresPerSecond, now: now) else {
            return
        }
        own.drain(now: now)
        failures[source] = own
    }

    /// A datagram from `sender` at `source` verified: later ones from there are its own.
    mutating func recordSuccess(source: PeerAddress, sender: NodeID) {
        if provenSenders[source] == sender { return }
        if provenSenders.count >= Self.maxTrackedSources { provenSenders.removeAll(keepingCapacity: true) }
        provenSenders[source] = sender
    }

    /// The bucket for `source` in `table`, made if there is room (after dropping full ones).
    private static func bucket(_ table: inout [PeerAddress: TokenBucket], _ source: PeerAddress, capacity: Double,
                        perSecond: Double, now: Instant) -> TokenBucket? {
        if let existing = table[source] { return existing }
        if table.count >= Self.maxTrackedSources { table = table.filter { !$0.value.isFull(now: now) } }
        guard table.count < Self.maxTrackedSources else { return nil }
        return TokenBucket(capacity: capacity, perSecond: perSecond, now: now)
    }
}
