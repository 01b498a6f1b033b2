/// Timing of the decision protocol. Defaults suit a LAN; all are per agent and none must agree:
/// `leaseDuration` is carried in the grant it shapes, and everyone times that lease by the grant.
public struct DecisionSettings: Sendable, Equatable {
    /// A phase that got no majority answer in this time is retried with a higher ballot.
    public var roundTimeout: Duration = .milliseconds(400)
    /// An operator command not decided by then answers "no quorum" (503).
    public var commandTimeout: Duration = .seconds(5)
    /// An acceptor holding an accepted but undecided value this long finishes the slot itself.
    public var recoveryDelay: Duration = .seconds(2)
    /// A voter that is not first in line waits this long before proposing an automatic decision
    /// (admission, task lease, auto-approve), so one proposer usually acts alone.
    public var automaticGrace: Duration = .seconds(3)
    /// The task lease this node asks for when it proposes a grant (1 s to 1 h); renewed every third of it.
    public var leaseDuration: Duration = .seconds(10)
    /// `upgrade.auto_approve`: approve as soon as READY_TO_RUN_UPGRADE_TASKS is reached.
    public var autoApprove = false

    public init() {}
}
