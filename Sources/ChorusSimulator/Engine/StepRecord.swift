import ChorusCore

/// What happened in one step of a simulation: one host handled one input.
public struct StepRecord: Sendable {
    public enum Cause: Sendable, Equatable {
        /// A datagram from host `from` (nil: an injected forgery).
        case datagram(from: Int?)
        case timer
        /// SIGCONT after a pause: late timers fire, then the buffered datagrams are read.
        case resume
        /// A host started or restarted.
        case boot
        /// An operator's graceful leave.
        case leave
        /// Another operator command (drain, undrain).
        case command
    }

    /// Counts every handled input since the start of the run; failure messages cite it.
    public let step: UInt64
    public let at: Instant
    public let node: Int
    public let cause: Cause
    public let events: [MembershipEvent]
    /// For forged or replayed datagrams only: whether the host's view of the cluster changed.
    public let hostileInputChangedState: Bool
}

/// Sees every step as it happens, e.g. to check invariants or record a trace.
public protocol SimulationObserver {
    mutating func observe(_ record: StepRecord, in cluster: SimulatedCluster)
}

/// Observes nothing.
public struct NoObserver: SimulationObserver {
    public init() {}
    public mutating func observe(_ record: StepRecord, in cluster: SimulatedCluster) {}
}
