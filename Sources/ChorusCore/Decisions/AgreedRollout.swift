import ChorusWire

/// A rolling upgrade as decided (SPEC §13): the plan, who is done, and whether members are still
/// taken out. Only the log changes it, so every agent holds the same one; each member's turn is
/// a disruption slot (`AgreedState.disruptionSlots`) with purpose `.rollout`.
public struct AgreedRollout: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        /// Members take their turns.
        case running
        /// No new turn starts; one under way ends.
        case paused
        /// A turn failed: nobody else is taken out until a resume (which retries that member) or an abort.
        case halted(member: NodeID, reason: String)
        case aborted
        /// Every voting member is done.
        case finished

        /// `running`, `paused`, `halted`, `aborted`, `finished`: as `GET /v1/rollout` and scenarios say it.
        public var name: String {
            switch self {
            case .running: "running"
            case .paused: "paused"
            case .halted: "halted"
            case .aborted: "aborted"
            case .finished: "finished"
            }
        }

        /// Running, paused or halted: another rollout cannot start.
        public var isActive: Bool {
            switch self {
            case .running, .paused, .halted: true
            case .aborted, .finished: false
            }
        }
    }

    /// 1 for the cluster's first rollout, then one more each start.
    public let number: UInt32
    public let plan: RolloutPlan
    /// The cluster version when it started: what `CHORUS_ROLLOUT_FROM` says.
    public let fromVersion: String
    /// It started the upgrade too (the cluster was STABLE).
    public let startedUpgrade: Bool
    public internal(set) var status = Status.running
    /// Members whose turn ended well, in that order.
    public internal(set) var done: [NodeID] = []
    /// Turns granted to each member in this rollout (a resume after a failure grants another).
    public internal(set) var attempts: [NodeID: UInt32] = [:]

    init(number: UInt32, plan: RolloutPlan, fromVersion: String, startedUpgrade: Bool) {
        self.number = number
        self.plan = plan
        self.fromVersion = fromVersion
        self.startedUpgrade = startedUpgrade
    }

    /// The voters still to take their turn, first to last: the plan's order, then the others
    /// in id order (`voters` is sorted).
    /// Asked by every voter on every tick while a rollout runs: linear in the voters, not in
    /// voters times turns done.
    public func due(among voters: [NodeID]) -> [NodeID] {
        let finished = Set(done)
        let waiting = voters.filter { !finished.contains($0) }
        let waitingSet = Set(waiting)
        let named = plan.order.filter(waitingSet.contains)
        let namedSet = Set(named)
        return named + waiting.filter { !namedSet.contains($0) }
    }
}
