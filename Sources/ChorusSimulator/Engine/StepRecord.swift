import ChorusCore
import ChorusWire

/// What happened in one step of a simulation: one host handled one input.
public struct StepRecord: Sendable {
    public enum Cause: Sendable, Equatable {
        /// A datagram from host `from` (nil: hostile input the network injected: a forgery, a
        /// replay, a flood, an insider's lie).
        case datagram(from: Int?)
        case timer
        /// SIGCONT after a pause: late timers fire, then the buffered datagrams are read.
        case resume
        /// A host started or restarted.
        case boot
        /// An operator's graceful leave.
        case leave
        /// An operator command: drain, undrain, or one of the upgrade commands (`SimulatedCluster.submit`).
        case command
        /// A run of the upgrade-tasks command ended and the host's core was told.
        case tasks
    }

    /// A slot the host decided in this step; `applied` is false for a void value.
    public struct Decided: Sendable, Equatable {
        public let slot: UInt64
        public let value: DecisionValue
        public let applied: Bool
    }

    /// Counts every handled input since the start of the run; failure messages cite it.
    public let step: UInt64
    public let at: Instant
    public let node: Int
    public let cause: Cause
    public let events: [MembershipEvent]
    /// The cluster events (SPEC §8) the host's core emitted in this step, in order.
    public let clusterEvents: [EventName]
    /// The decision slots the host decided in this step, in log order.
    public let decided: [Decided]
    /// For hostile input the integrity check applies to only: whether the host's view of the
    /// cluster changed.
    public let hostileInputChangedState: Bool
    /// The step's input was hostile and must not change the host's view (SPEC §11.8): a
    /// forgery, or a replay of bytes this process already handled. Genuine datagrams delivered
    /// on another path and an insider's validly signed lies may change it; other invariants
    /// judge those.
    public let integrityChecked: Bool
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
