import ChorusCore

/// The simulator's analogue of a shared log file that every host's upgrade-tasks command writes
/// to: each run's start, and how it ended (SPEC §4, §11.4). The tasks checker reads it.
public struct TaskLogEntry: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case started(attempt: UInt32, from: String, to: String)
        /// The run completed; `failure` nil on success. The host's core was told (`tasksEnded`).
        case finished(failure: String?)
        /// The host's core stopped it (`stopTasks`): the lease ran out or moved.
        case stopped
        /// The host crashed or exited with the run in progress.
        case killed
    }

    public let at: Instant
    public let node: Int
    public let term: UInt32
    public let kind: Kind

    public var description: String {
        switch kind {
        case .started(let attempt, let from, let to): "tasks started term \(term) attempt \(attempt) (\(from) -> \(to))"
        case .finished(nil): "tasks finished term \(term)"
        case .finished(let failure?): "tasks failed term \(term): \(failure)"
        case .stopped: "tasks stopped term \(term)"
        case .killed: "tasks killed term \(term)"
        }
    }
}

/// An operator command given to one host, and how it ended (nil while pending, or forever when
/// the host went down before answering).
public struct CommandRecord: Sendable {
    /// 1-based, in the order the commands were given.
    public let requestID: UInt64
    public let node: Int
    public let command: OperatorCommand
    public let at: Instant
    public internal(set) var outcome: CommandOutcome?
    public internal(set) var finishedAt: Instant?
}

/// A shell command in progress on a host: the upgrade tasks, or a rollout turn.
struct ShellRun: Sendable {
    let term: UInt32
    /// Distinguishes runs in the event queue: a stale end event finds another serial.
    let serial: Int
}

extension CommandOutcome {
    /// `committed`, `rejected`, `no-quorum`: as scenario scripts name outcomes.
    public var name: String {
        switch self {
        case .committed: "committed"
        case .rejected: "rejected"
        case .noQuorum: "no-quorum"
        }
    }
}
