import ChorusCore
import ChorusWire

/// What a step did to the upgrade, as trace lines: the cluster events the host's core emitted
/// (SPEC §8, the agents' own vocabulary) with the state they leave, the answers to operator
/// commands, and the task log's new entries.
struct UpgradeTraceLines {
    private var commandsAnswered: Set<UInt64> = []
    private var taskLogSeen = 0

    mutating func lines(after record: StepRecord, in cluster: SimulatedCluster) -> [String] {
        var lines: [String] = []
        for command in cluster.commands where command.outcome != nil && !commandsAnswered.contains(command.requestID) {
            commandsAnswered.insert(command.requestID)
            lines.append("command \(command.requestID) (\(Self.describe(command.command, in: cluster))) \(Self.describe(command.outcome!))")
        }
        if !record.clusterEvents.isEmpty, let state = cluster.upgradeState(of: record.node),
           let agreed = cluster.agreedState(of: record.node) {
            let summary = state == .stable ? "state STABLE, cluster version \(agreed.clusterVersion)" : "state \(state.rawValue)"
            lines += record.clusterEvents.map { "\($0.rawValue), \(summary)" }
        }
        for entry in cluster.taskLog[taskLogSeen...] where entry.node == record.node { lines.append(entry.description) }
        taskLogSeen = cluster.taskLog.count
        return lines
    }

    private static func describe(_ command: OperatorCommand, in cluster: SimulatedCluster) -> String {
        switch command {
        case .startUpgrade: "start"
        case .cancelUpgrade: "cancel"
        case .approveUpgrade: "approve"
        case .retryUpgrade: "retry"
        case .removeMember(let id, let keepKey): "remove \(name(of: id, in: cluster))\(keepKey ? "" : " and revoke")"
        case .revokeMember(let id): "revoke \(name(of: id, in: cluster))"
        case .revokeOperator(let name, let issuedBefore): "revoke operator \(name) issued up to \(issuedBefore)"
        case .acquireRebootSlot(let clientID, let group): "pre-reboot \(clientID) in \(group)"
        case .releaseRebootSlot(let clientID): "steady-state \(clientID)"
        case .startRollout(let plan):
            "rollout start to \(plan.targetVersion), \(plan.maxUnavailable) at a time\(plan.approve ? ", approved" : "")"
                + (plan.order.isEmpty ? "" : ", first \(plan.order.map { name(of: $0, in: cluster) }.joined(separator: ","))")
        case .pauseRollout: "rollout pause"
        case .resumeRollout: "rollout resume"
        case .abortRollout: "rollout abort"
        case .releaseSlot(let member): "rollout release \(name(of: member, in: cluster))"
        case .startMaintenance(let message): "maintenance on \"\(message)\""
        case .endMaintenance: "maintenance off"
        case .setBanner(let banner): "banner \(banner.level.name) \"\(banner.message)\" until \(banner.expiresAt.map(String.init) ?? "cleared")"
        case .clearBanner: "banner clear"
        case .installKey(let key): "keyring install \(key.id)"
        case .useKey(let key): "keyring use \(key)"
        case .removeKey(let key): "keyring remove \(key)"
        }
    }

    private static func name(of id: NodeID, in cluster: SimulatedCluster) -> String {
        cluster.index(of: id).map(cluster.name(of:)) ?? id.short
    }

    private static func describe(_ outcome: CommandOutcome) -> String {
        switch outcome {
        case .committed(let slot, let value): "committed in slot \(slot): \(value)"
        case .rejected(let reason): "rejected: \(reason)"
        case .noQuorum: "no-quorum"
        }
    }
}
