import ChorusWire
import HashTreeCollections

/// The cluster upgrade state (SPEC §4), named as on the endpoint.
public enum UpgradeState: String, Sendable, CaseIterable {
    case stable = "STABLE"
    case readyToUpgrade = "READY_TO_UPGRADE"
    case mixed = "MIXED"
    case readyToRunUpgradeTasks = "READY_TO_RUN_UPGRADE_TASKS"
    case runningUpgradeTasks = "RUNNING_UPGRADE_TASKS"
    case upgradeTasksFailed = "UPGRADE_TASKS_FAILED"
}

/// What the membership layer knows of one member, as the upgrade rules need it.
public struct MemberFacts: Sendable, Equatable {
    public var status: MemberStatus
    public var version: String
    /// The certificate's name, for messages; nil where a test does not care.
    public var name: String?
    /// Serving (not draining or leaving) with an application not known to be unhealthy: what
    /// the disruption budget counts as in service (SPEC §13).
    public var inService: Bool

    public init(status: MemberStatus, version: String, name: String? = nil, inService: Bool = true) {
        self.status = status
        self.version = version
        self.name = name
        self.inService = inService
    }
}

/// Every member's facts by id, this node's included. A persistent hash trie: a copy (the
/// decision engine's, another simulated node's) shares structure with the original.
public typealias MemberFactsView = TreeDictionary<NodeID, MemberFacts>
