/// Timing of the decision protocol. `init()` is the LAN preset; all are per agent and none must
/// agree: `leaseDuration` is carried in the grant it shapes, and everyone times that lease by the grant.
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

    /// The LAN preset, which the simulator and the core tests use.
    public init() {}

    /// The preset that goes with `MembershipSettings.preset(preset)`, so `--preset` sets both.
    ///
    /// Every timeout here waits for round trips between voters, as the membership probe timeout
    /// does, so each preset scales LAN's by the ratio of its probe timeout to LAN's: local
    /// 80 ms / 200 ms = 0.4, wan 1500 ms / 200 ms = 7.5. The wan command timeout is the
    /// exception: 7.5 x 5 s = 37.5 s would outlast the 30 s the CLI waits for an operator command
    /// (`OperatorCommandRequest`), which would then report an unreachable agent instead of the
    /// agent's "no quorum"; 25 s still allows 8 wan rounds.
    public init(preset: TimingPreset) {
        switch preset {
        case .lan:
            self.init()
        case .local:
            self.init(roundTimeout: .milliseconds(160), commandTimeout: .seconds(2), recoveryDelay: .milliseconds(800),
                      automaticGrace: .milliseconds(1200), leaseDuration: .seconds(4))
        case .wan:
            self.init(roundTimeout: .seconds(3), commandTimeout: .seconds(25), recoveryDelay: .seconds(15),
                      automaticGrace: .milliseconds(22_500), leaseDuration: .seconds(75))
        }
    }

    private init(roundTimeout: Duration, commandTimeout: Duration, recoveryDelay: Duration, automaticGrace: Duration,
                 leaseDuration: Duration) {
        self.roundTimeout = roundTimeout
        self.commandTimeout = commandTimeout
        self.recoveryDelay = recoveryDelay
        self.automaticGrace = automaticGrace
        self.leaseDuration = leaseDuration
    }
}
