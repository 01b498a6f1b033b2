import ChorusCore
import Foundation
import ChorusWire

/// `GET /v1/cluster` (SPEC §7): the upgrade state and what it rests on.
public struct ClusterResponse: Codable, Sendable, Equatable {
    public var state: String
    public var clusterVersion: String
    public var originalVersion: String?
    public var targetVersion: String?
    /// Voting members by name; `quorum` of them must agree on a decision.
    public var voters: [String]
    public var quorum: Int
    /// The node running the upgrade tasks, while they run.
    public var taskRunner: String?
    public var maintenance: MaintenanceResponse
    public var banner: BannerResponse?
    /// Every live member has applied as many decisions as this agent.
    public var converged: Bool
    /// What the state waits for (a voter still on the old version, a dead voter), or why the tasks failed.
    public var waitingFor: String?
    /// Decisions applied so far (the log length).
    public var decisions: UInt64

    public init(_ snapshot: ClusterSnapshot) {
        state = snapshot.status.state.rawValue
        clusterVersion = snapshot.agreed.clusterVersion
        originalVersion = snapshot.agreed.originalVersion
        targetVersion = snapshot.agreed.targetVersion ?? snapshot.status.targetVersion
        voters = snapshot.voterNames
        quorum = snapshot.agreed.quorum
        taskRunner = snapshot.taskRunner
        maintenance = MaintenanceResponse(enabled: snapshot.agreed.maintenanceMessage != nil,
                                          message: snapshot.agreed.maintenanceMessage)
        banner = snapshot.banner.map(BannerResponse.init)
        converged = snapshot.converged
        waitingFor = snapshot.status.waitingFor
        decisions = snapshot.decidedSlots
    }

    private enum CodingKeys: String, CodingKey {
        case state, clusterVersion, originalVersion, targetVersion, voters, quorum, taskRunner, maintenance, banner
        case converged, waitingFor, decisions
    }

    /// Every field is always present, `null` when empty: scripts test keys, not their absence.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(state, forKey: .state)
        try container.encode(clusterVersion, forKey: .clusterVersion)
        try container.encode(originalVersion, forKey: .originalVersion)
        try container.encode(targetVersion, forKey: .targetVersion)
        try container.encode(voters, forKey: .voters)
        try container.encode(quorum, forKey: .quorum)
        try container.encode(taskRunner, forKey: .taskRunner)
        try container.encode(maintenance, forKey: .maintenance)
        try container.encode(banner, forKey: .banner)
        try container.encode(converged, forKey: .converged)
        try container.encode(waitingFor, forKey: .waitingFor)
        try container.encode(decisions, forKey: .decisions)
    }
}

/// Maintenance mode, as agreed by quorum (SPEC §6).
public struct MaintenanceResponse: Codable, Sendable, Equatable {
    public var enabled: Bool
    public var message: String?

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(enabled, forKey: .enabled)
        try container.encode(message, forKey: .message)
    }
}

/// The announcement banner (SPEC §6); `expiresAt` is ISO 8601 in UTC, null when it never expires.
public struct BannerResponse: Codable, Sendable, Equatable {
    public var message: String
    public var level: String
    public var expiresAt: String?

    public init(_ banner: AnnouncementBanner) {
        message = banner.message
        level = banner.level.name
        expiresAt = banner.expiresAt.map { Date(timeIntervalSince1970: TimeInterval($0)).formatted(.iso8601) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(message, forKey: .message)
        try container.encode(level, forKey: .level)
        try container.encode(expiresAt, forKey: .expiresAt)
    }
}

/// 200 from an operator command: what was decided, and the state it led to.
public struct CommandResponse: Codable, Sendable, Equatable {
    public var decision: String
    public var slot: UInt64
    public var state: String
}

extension DecisionValue {
    /// Kebab-case name for responses, events and logs.
    public var name: String {
        switch self {
        case .found: "found"
        case .admit: "admit"
        case .remove: "remove"
        case .startUpgrade: "start"
        case .cancelUpgrade: "cancel"
        case .approveUpgrade: "approve"
        case .retryUpgrade: "retry"
        case .grantLease: "grant-lease"
        case .renewLease: "renew-lease"
        case .finishTasks: "finish-tasks"
        case .failTasks: "fail-tasks"
        case .maintenanceOn: "maintenance-on"
        case .maintenanceOff: "maintenance-off"
        case .setBanner: "set-banner"
        case .clearBanner: "clear-banner"
        case .installKey: "install-key"
        case .useKey: "use-key"
        case .removeKey: "remove-key"
        case .revoke: "revoke"
        case .revokeOperator: "revoke-operator"
        case .grantSlot: "grant-slot"
        case .releaseSlot: "release-slot"
        case .startRollout: "start-rollout"
        case .pauseRollout: "pause-rollout"
        case .resumeRollout: "resume-rollout"
        case .abortRollout: "abort-rollout"
        case .endRolloutTurn: "end-rollout-turn"
        }
    }
}
