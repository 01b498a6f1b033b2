import ChorusCore
import ChorusWire

/// The upgrade commands and expectations of scenario scripts (docs/scenarios.md).
extension ScenarioParser {
    static let outcomes = ["committed", "rejected", "no-quorum", "pending"]

    /// `upgrade start|cancel|approve|retry at N`, `remove M at N`, `revoke M at N`, `tasks fail N`,
    /// `tasks take DURATION`, `reboot lock|unlock CLIENT at N`.
    func upgradeCommand(_ keyword: String, _ arguments: [String]) throws(Problem) -> ScenarioCommand {
        switch keyword {
        case "upgrade":
            let operations: [String: ScenarioOperation] = ["start": .start, "cancel": .cancel, "approve": .approve, "retry": .retry]
            guard arguments.count == 3, arguments[1] == "at", let operation = operations[arguments[0]] else {
                throw Problem(message: "expected 'upgrade start|cancel|approve|retry at N'")
            }
            return .operate(operation, at: try node(arguments[2]))
        case "remove":
            guard arguments.count == 3, arguments[1] == "at" else { throw Problem(message: "expected 'remove M at N'") }
            return .operate(.remove(try node(arguments[0])), at: try node(arguments[2]))
        case "revoke":
            guard arguments.count == 3, arguments[1] == "at" else { throw Problem(message: "expected 'revoke M at N'") }
            return .operate(.revoke(try node(arguments[0])), at: try node(arguments[2]))
        case "reboot":
            guard arguments.count == 4, arguments[2] == "at", ["lock", "unlock"].contains(arguments[0]) else {
                throw Problem(message: "expected 'reboot lock|unlock CLIENT at N'")
            }
            let client = arguments[1]
            return .operate(arguments[0] == "lock" ? .rebootLock(client: client) : .rebootUnlock(client: client), at: try node(arguments[3]))
        default:
            switch arguments.first {
            case "fail" where arguments.count == 2: return .failTasks(try count(arguments[1]))
            case "take" where arguments.count == 2: return .taskDuration(try duration(arguments[1]))
            default: throw Problem(message: "expected 'tasks fail N' or 'tasks take DURATION'")
            }
        }
    }

    func upgradeExpectation(_ arguments: [String]) throws(Problem) -> ScenarioExpectation {
        switch arguments[0] {
        case "state" where arguments.count >= 4 && arguments[2] == "at":
            guard let state = UpgradeState(rawValue: arguments[1]) else {
                throw Problem(message: "expected a state (\(UpgradeState.allCases.map(\.rawValue).joined(separator: ", "))), got '\(arguments[1])'")
            }
            return .state(state, at: try observers(arguments[3...]))
        case "cluster-version" where arguments.count >= 4 && arguments[2] == "at":
            return .clusterVersion(try version(arguments[1]), at: try observers(arguments[3...]))
        case "rollout" where arguments.count >= 4 && arguments[2] == "at":
            let states = ["none", "running", "paused", "halted", "aborted", "finished"]
            guard states.contains(arguments[1]) else {
                throw Problem(message: "expected a rollout state (\(states.joined(separator: ", "))), got '\(arguments[1])'")
            }
            return .rollout(arguments[1], at: try observers(arguments[3...]))
        case "slot" where arguments.count >= 4 && arguments[2] == "at":
            return .slot(arguments[1] == "none" ? nil : try node(arguments[1]), at: try observers(arguments[3...]))
        case "tasks-finished" where arguments.count == 2:
            return .tasksFinished(try number(arguments[1]))
        case "tasks-started" where arguments.count == 2:
            return .tasksStarted(try number(arguments[1]))
        case "command" where arguments.count == 3:
            guard let request = Int(arguments[1]), (1...max(1, commandsGiven)).contains(request), commandsGiven > 0 else {
                throw Problem(message: "expected a command number 1...\(commandsGiven) (the script's commands so far), got '\(arguments[1])'")
            }
            guard Self.outcomes.contains(arguments[2]) else {
                throw Problem(message: "expected an outcome (\(Self.outcomes.joined(separator: ", "))), got '\(arguments[2])'")
            }
            return .command(request, outcome: arguments[2])
        default:
            throw Problem(message: "expected 'expect state STATE at all|LIST', 'expect cluster-version X.Y.Z at all|LIST', "
                + "'expect tasks-finished N', 'expect tasks-started N', 'expect command N OUTCOME' or 'expect slot N|none at all|LIST'")
        }
    }

    /// `rollout start to X.Y.Z [max N] [first LIST] [approve] at N`, `rollout pause|resume|abort at N`,
    /// `rollout release M at N`, `rollout fail N`, `rollout take DURATION`.
    func rolloutCommand(_ arguments: [String]) throws(Problem) -> ScenarioCommand {
        switch arguments.first {
        case "fail" where arguments.count == 2: return .failRolloutTurns(try count(arguments[1]))
        case "take" where arguments.count == 2: return .rolloutTurnDuration(try duration(arguments[1]))
        case "release" where arguments.count == 4 && arguments[2] == "at":
            return .operate(.rolloutRelease(try node(arguments[1])), at: try node(arguments[3]))
        case "pause", "resume", "abort":
            guard arguments.count == 3, arguments[1] == "at" else { throw Problem(message: "expected 'rollout \(arguments[0]) at N'") }
            let operation: ScenarioOperation = arguments[0] == "pause" ? .rolloutPause : arguments[0] == "resume" ? .rolloutResume : .rolloutAbort
            return .operate(operation, at: try node(arguments[2]))
        case "start":
            guard arguments.count >= 5, arguments[1] == "to", arguments[arguments.count - 2] == "at" else {
                throw Problem(message: "expected 'rollout start to X.Y.Z [max N] [first LIST] [approve] at N'")
            }
            var options = Array(arguments[3..<(arguments.count - 2)])
            var maxUnavailable: UInt8 = 1
            var first: [Int] = []
            var approve = false
            while let option = options.first {
                options.removeFirst()
                switch option {
                case "max":
                    guard let value = options.first.flatMap(UInt8.init), (1...RolloutPlan.maxUnavailableLimit).contains(value) else {
                        throw Problem(message: "expected 'max N' with N from 1 to \(RolloutPlan.maxUnavailableLimit)")
                    }
                    options.removeFirst()
                    maxUnavailable = value
                case "first":
                    guard let list = options.first else { throw Problem(message: "expected 'first LIST'") }
                    options.removeFirst()
                    first = try nodeList(list)
                case "approve":
                    approve = true
                default:
                    throw Problem(message: "expected 'max N', 'first LIST' or 'approve', got '\(option)'")
                }
            }
            return .operate(.rolloutStart(to: try version(arguments[2]), maxUnavailable: maxUnavailable, first: first, approve: approve),
                            at: try node(arguments[arguments.count - 1]))
        default:
            throw Problem(message: "expected 'rollout start|pause|resume|abort|release|fail|take ...'")
        }
    }

    private func number(_ word: String) throws(Problem) -> Int {
        guard let value = Int(word), value >= 0 else { throw Problem(message: "expected a count (0 or more), got '\(word)'") }
        return value
    }
}
