/// This node's part of a rollout (SPEC §13), from its `[rollout]` settings as last (re)loaded.
struct RolloutSettings: Sendable, Equatable {
    var nodeCommand: String?
    var rollbackCommand: String?
    var drain: Duration
    var healthy: Duration
    var deadline: Duration

    init(_ configuration: AgentConfiguration) {
        nodeCommand = configuration.rolloutNodeCommand
        rollbackCommand = configuration.rolloutRollbackCommand
        drain = configuration.rolloutDrainDuration
        healthy = configuration.rolloutHealthyDuration
        deadline = configuration.rolloutHealthyDeadline
    }
}
