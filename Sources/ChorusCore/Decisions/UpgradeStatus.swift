import ChorusWire
import HashTreeCollections

/// The derived upgrade status: the agreed phase plus what the voters' heartbeats say.
public struct UpgradeStatus: Sendable, Equatable {
    public var state: UpgradeState
    /// The newer version the voters are moving to, once one is known.
    public var targetVersion: String?
    /// Why the state is not further along (a dead voter, a voter still on the old version).
    public var waitingFor: String?

    public init(state: UpgradeState, targetVersion: String? = nil, waitingFor: String? = nil) {
        self.state = state
        self.targetVersion = targetVersion
        self.waitingFor = waitingFor
    }

    /// Derives the state (SPEC §4). `members` must include this node itself; `voterNames` names
    /// the voters that have no member entry any more, for the reason given.
    public static func derive(_ agreed: AgreedState, members: MemberFactsView,
                              voterNames: VoterNames = VoterNames()) -> UpgradeStatus {
        switch agreed.phase {
        case .stable:
            return UpgradeStatus(state: .stable)
        case .runningTasks(_, let target):
            return UpgradeStatus(state: .runningUpgradeTasks, targetVersion: target)
        case .tasksFailed(_, let target, let reason):
            return UpgradeStatus(state: .upgradeTasksFailed, targetVersion: target, waitingFor: reason)
        case .upgrading(let original):
            return deriveUpgrading(original: original, agreed: agreed, members: members, voterNames: voterNames)
        }
    }

    private static func deriveUpgrading(original: String, agreed: AgreedState,
                                        members: MemberFactsView, voterNames: VoterNames) -> UpgradeStatus {
        var newer: Set<String> = []
        var onOriginal = 0
        var unavailable: [NodeID] = []
        for voter in agreed.voters {
            guard let facts = members[voter] else {
                unavailable.append(voter)
                continue
            }
            if facts.status != .alive { unavailable.append(voter) }
            if facts.version == original { onOriginal += 1 } else { newer.insert(facts.version) }
        }
        if newer.isEmpty {
            return UpgradeStatus(state: .readyToUpgrade)
        }
        let target = newer.max(by: SemanticVersion.isOrderedBefore)
        if newer.count == 1, onOriginal == 0, unavailable.isEmpty,
           let version = newer.first, SemanticVersion.isOrderedBefore(original, version) {
            return UpgradeStatus(state: .readyToRunUpgradeTasks, targetVersion: version)
        }
        let reason: String
        if let blocked = unavailable.first {
            let name = members[blocked]?.name ?? voterNames[blocked] ?? blocked.short
            reason = "voter \(name) is not alive (\(unavailable.count) unavailable); it must come back upgraded or be removed"
        } else if onOriginal > 0 {
            reason = "\(onOriginal) voter(s) still run \(original)"
        } else {
            reason = "voters run different newer versions: \(newer.sorted().joined(separator: ", "))"
        }
        return UpgradeStatus(state: .mixed, targetVersion: target, waitingFor: reason)
    }
}
