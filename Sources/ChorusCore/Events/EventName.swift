import ChorusWire

/// Every event name of SPEC §8 that an agent emits, defined once: the core's member events, the
/// shell's journal (SSE, hooks, `chorus events`), the status page's listeners and the
/// simulator's traces all spell names from here. Which decision is which events:
/// `ClusterEvent.applying`.
public enum EventName: String, Sendable, CaseIterable, Codable {
    case memberJoin = "member-join"
    case memberSuspect = "member-suspect"
    case memberFailed = "member-failed"
    case memberLeave = "member-leave"
    case memberUpdate = "member-update"
    /// Its key was revoked by a decision; it is no longer listed (SPEC §2).
    case memberRevoked = "member-revoked"
    case upgradeStarted = "upgrade-started"
    case upgradeCancelled = "upgrade-cancelled"
    case upgradeMixed = "upgrade-mixed"
    case upgradeReady = "upgrade-ready"
    case upgradeApproved = "upgrade-approved"
    case upgradeTasksFailed = "upgrade-tasks-failed"
    case upgradeFinished = "upgrade-finished"
    case maintenanceOn = "maintenance-on"
    case maintenanceOff = "maintenance-off"
    case bannerChanged = "banner-changed"
    case certificateExpiring = "certificate-expiring"
    case rolloutStarted = "rollout-started"
    case rolloutNodeStarted = "rollout-node-started"
    case rolloutNodeDone = "rollout-node-done"
    case rolloutNodeFailed = "rollout-node-failed"
    case rolloutHalted = "rollout-halted"
    case rolloutFinished = "rollout-finished"
    case slotGranted = "slot-granted"
    case slotReleased = "slot-released"

    /// The event of entering a derived state (SPEC §4): MIXED and READY_TO_RUN_UPGRADE_TASKS
    /// follow from the voters' versions, not from a decision.
    public static func entering(_ state: UpgradeState) -> EventName? {
        switch state {
        case .mixed: .upgradeMixed
        case .readyToRunUpgradeTasks: .upgradeReady
        case .stable, .readyToUpgrade, .runningUpgradeTasks, .upgradeTasksFailed: nil
        }
    }
}
