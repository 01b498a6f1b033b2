import ChorusCore
import ChorusWire

extension ScenarioExpectation {
    /// Why the expectation does not hold now, or nil when it does.
    /// `lastRun`: the event kinds the last `run` produced.
    func failure(in cluster: SimulatedCluster, checker: InvariantChecker,
                 lastRun: Set<MembershipEvent.Kind>) -> String? {
        switch self {
        case .member(let subject, let status, let observers):
            return firstFailure(of: subject, at: observers, in: cluster) { view in
                view?.status == status ? nil : view?.status.rawValue ?? "unknown"
            }
        case .version(let subject, let version, let observers):
            return firstFailure(of: subject, at: observers, in: cluster) { view in
                guard let view else { return "unknown" }
                return view.version == version ? nil : "on \(view.version)"
            }
        case .incarnation(let subject, let floor, let observers):
            return firstFailure(of: subject, at: observers, in: cluster) { view in
                guard let view else { return "unknown" }
                return view.incarnation > floor ? nil : "at incarnation \(view.incarnation)"
            }
        case .converged:
            return InvariantChecker.disagreement(in: cluster)
        case .noEvent(let kind):
            return lastRun.contains(kind) ? "the last run had \(kind.rawValue) events" : nil
        case .noViolations:
            guard let first = checker.violations.first else { return nil }
            return "\(checker.violations.count) violation(s), the first: \(first)"
        case .violation(let invariant):
            return checker.violations.contains { $0.invariant == invariant } ? nil : "no \(invariant.rawValue) violation"
        case .state(let state, let observers):
            return firstFailure(at: observers, in: cluster) { index in
                let actual = cluster.upgradeState(of: index)!
                return actual == state ? nil : "derives \(actual.rawValue)"
            }
        case .clusterVersion(let version, let observers):
            return firstFailure(at: observers, in: cluster) { index in
                let actual = cluster.agreedState(of: index)!.clusterVersion
                return actual == version ? nil : "has cluster version \(actual)"
            }
        case .slot(let holder, let observers):
            return firstFailure(at: observers, in: cluster) { index in
                let held = cluster.agreedState(of: index)!.disruptionSlots.map { cluster.index(of: $0.holder).map(cluster.name(of:)) ?? "?" }
                let expected = holder.map { [cluster.name(of: $0)] } ?? []
                return held == expected ? nil : held.isEmpty ? "holds no slot" : "holds slots for \(held.joined(separator: ", "))"
            }
        case .rollout(let state, let observers):
            return firstFailure(at: observers, in: cluster) { index in
                let actual = cluster.agreedState(of: index)!.rollout.map(\.status.name) ?? "none"
                return actual == state ? nil : "has rollout \(actual)"
            }
        case .tasksFinished(let count):
            return checker.tasksFinished == count ? nil : "\(checker.tasksFinished) finishTasks decided"
        case .tasksStarted(let count):
            let started = cluster.taskLog.count { if case .started = $0.kind { true } else { false } }
            return started == count ? nil : "\(started) runs started"
        case .command(let number, let expected):
            guard number <= cluster.commands.count else { return "only \(cluster.commands.count) commands were given" }
            let outcome = cluster.commands[number - 1].outcome
            let actual = outcome?.name ?? "pending"
            guard actual != expected else { return nil }
            if case .rejected(let reason)? = outcome { return "rejected: \(reason)" }
            return actual
        case .rejected(let node, let reason, let atMost, let bound):
            guard let core = cluster.core(of: node) else { return "\(cluster.name(of: node)) is down" }
            let counted = core.counters.rejected[RejectReason(rawValue: reason)!, default: 0]
            let holds = atMost ? counted <= bound : counted >= bound
            return holds ? nil : "\(cluster.name(of: node)) rejected \(counted) as \(reason)"
        }
    }

    /// The first observer (`all`: every running node) for which `wrong` says what is wrong.
    private func firstFailure(at observers: ScenarioObservers, in cluster: SimulatedCluster,
                              _ wrong: (Int) -> String?) -> String? {
        let chosen: [Int]
        switch observers {
        case .all: chosen = (0..<cluster.size).filter(cluster.isRunning)
        case .nodes(let nodes): chosen = nodes
        }
        guard !chosen.isEmpty else { return "no running node to ask" }
        for observer in chosen {
            guard cluster.isRunning(observer) else { return "\(cluster.name(of: observer)) is down" }
            if let what = wrong(observer) { return "\(cluster.name(of: observer)) \(what)" }
        }
        return nil
    }

    /// The first observer whose view of `subject` is wrong, as "node-2 sees node-3 <what>".
    private func firstFailure(of subject: Int, at observers: ScenarioObservers, in cluster: SimulatedCluster,
                              _ wrong: (MemberSnapshot?) -> String?) -> String? {
        let chosen: [Int]
        switch observers {
        case .all:
            chosen = (0..<cluster.size).filter { $0 != subject && cluster.isRunning($0) }
            guard !chosen.isEmpty else { return "no running node to ask" }
        case .nodes(let nodes):
            chosen = nodes
        }
        for observer in chosen {
            guard cluster.isRunning(observer) else { return "\(cluster.name(of: observer)) is down" }
            if let what = wrong(cluster.view(of: subject, seenBy: observer)) {
                return "\(cluster.name(of: observer)) sees \(cluster.name(of: subject)) \(what)"
            }
        }
        return nil
    }
}

