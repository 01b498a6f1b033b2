import ChorusCore
import ChorusWire

/// One event (SPEC §8), as sent on `GET /v1/events` (the SSE `data:`), to hook commands (stdin)
/// and printed by `chorus events`. `member` is set for member events, `cluster` for upgrade ones,
/// and `slot` too for slot and rollout-turn events.
public struct AgentEvent: Codable, Sendable, Equatable {
    /// Increases by one per event on this agent; the SSE `id:`.
    public var id: UInt64
    /// Kebab-case, e.g. `member-join`, `upgrade-finished`.
    public var event: String
    /// RFC 3339 UTC time at which this agent saw it.
    public var time: String
    /// The agent that reports it.
    public var node: String
    public var member: MemberResponse?
    public var cluster: ClusterResponse?
    public var slot: Slot?

    /// Whose slot or turn a slot or rollout event is about (`ClusterEvent.Subject`).
    public struct Slot: Codable, Sendable, Equatable {
        public var holder: String
        public var term: UInt32
        /// `rollout` or `reboot`; absent on a `slot-released` decided on its own (FleetLock's
        /// steady-state, `chorus rollout release`).
        public var purpose: String?
        /// The FleetLock client's id, for a reboot.
        public var client: String?
        /// Why the turn failed, on `rollout-node-failed` and `rollout-halted`.
        public var reason: String?

        init(_ subject: ClusterEvent.Subject, holderName: String) {
            holder = holderName
            term = subject.term
            reason = subject.reason
            guard let given = subject.purpose else { return }
            switch given {
            case .reboot(let clientID, _):
                purpose = "reboot"
                client = clientID
            case .rollout:
                purpose = "rollout"
            }
        }
    }
}
