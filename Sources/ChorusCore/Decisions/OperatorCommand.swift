import ChorusWire

/// A command an operator (or script) gives any agent (SPEC §5, §7).
public enum OperatorCommand: Sendable, Equatable {
    case startUpgrade
    case cancelUpgrade
    case approveUpgrade
    case retryUpgrade
    /// A dead or departed member stops voting; unless `keepKey`, its key is revoked as well,
    /// so it cannot come back with the same identity (issue 15).
    case removeMember(NodeID, keepKey: Bool)
    /// The member's key is refused everywhere, alive or not (a compromised host).
    case revokeMember(NodeID)
    /// Operator credentials of `name` issued at or before `issuedBefore` are refused everywhere.
    case revokeOperator(name: String, issuedBefore: UInt64)
    /// Maintenance mode on with this message (or a new message while on).
    case startMaintenance(message: String)
    case endMaintenance
    case setBanner(AnnouncementBanner)
    case clearBanner
    /// Gossip keyring (SPEC §2): accept a key, seal with it, stop accepting it.
    case installKey(GossipKey)
    case useKey(KeyID)
    case removeKey(KeyID)
    /// FleetLock's RecursiveLock (SPEC §7, §13): a disruption slot for this node, for a reboot
    /// by `clientID`; nothing to decide when that client already holds it.
    case acquireRebootSlot(clientID: String, group: String)
    /// FleetLock's UnlockIfHeld: frees this node's slot if `clientID` holds it.
    case releaseRebootSlot(clientID: String)
    /// `chorus rollout start` (SPEC §13); from STABLE it also starts the upgrade.
    case startRollout(RolloutPlan)
    case pauseRollout
    case resumeRollout
    case abortRollout
    /// `chorus rollout release NAME`: the member's slot, whoever holds it for what, is free.
    case releaseSlot(of: NodeID)
}

/// How a command ended, mapped by the endpoint to 200, 409 or 503.
public enum CommandOutcome: Sendable, Equatable {
    /// Decided in `slot` (possibly by a concurrent identical command).
    case committed(slot: UInt64, value: DecisionValue)
    /// The cluster's state forbids it; `reason` says why.
    case rejected(reason: String)
    /// No majority decided it in time. It may still be decided later.
    case noQuorum
}

/// The runner's marching orders for the upgrade tasks (SPEC §4).
public struct TaskAssignment: Sendable, Equatable {
    public var term: UInt32
    public var fromVersion: String
    public var toVersion: String
    public var attempt: UInt32

    public init(term: UInt32, fromVersion: String, toVersion: String, attempt: UInt32) {
        self.term = term
        self.fromVersion = fromVersion
        self.toVersion = toVersion
        self.attempt = attempt
    }
}

/// This node's turn in a rollout (SPEC §13): what the shell's node command is told
/// (`CHORUS_ROLLOUT_FROM`, `_TO`, `_ATTEMPT`, `_TERM`).
public struct RolloutTurn: Sendable, Equatable {
    /// The slot's fencing term.
    public var term: UInt32
    public var attempt: UInt32
    public var fromVersion: String
    public var toVersion: String

    public init(term: UInt32, attempt: UInt32, fromVersion: String, toVersion: String) {
        self.term = term
        self.attempt = attempt
        self.fromVersion = fromVersion
        self.toVersion = toVersion
    }
}

/// What the decision engine hands the membership layer: messages for a peer, which membership
/// addresses and seals, and effects that pass through it to the shell.
public enum DecisionOutput: Sendable, Equatable {
    case send([Record], to: NodeID)
    case effect(DecisionEffect)
}

/// The decision effects the shell carries out.
public enum DecisionEffect: Sendable, Equatable {
    /// Must be durable before any later effect is carried out.
    case persistAcceptor(AcceptorState)
    /// Must be durable before any later effect is carried out.
    case persistDecision(DecidedSlot)
    /// A slot was decided; `applied` is false for a void value (it changed nothing).
    case decided(slot: UInt64, value: DecisionValue, applied: Bool)
    case commandFinished(requestID: UInt64, outcome: CommandOutcome)
    case startTasks(TaskAssignment)
    /// The lease ran out (or moved): kill the tasks command of this term.
    case stopTasks(term: UInt32)
    /// This node's rollout turn began (after a restart too, while the log says it holds it), or
    /// ended (nil): the shell runs it, or stops running it.
    case rolloutTurn(RolloutTurn?)
}
