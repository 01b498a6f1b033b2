/// How a command the log assigned this node ended: the upgrade tasks of a lease, or a rollout
/// turn, by its term; nil failure for success.
enum CommandEnd: Sendable, Equatable {
    case tasks(term: UInt32, failure: String?)
    case rolloutTurn(term: UInt32, failure: String?)

    var term: UInt32 {
        switch self {
        case .tasks(let term, _), .rolloutTurn(let term, _): term
        }
    }

    /// For the log: "the upgrade tasks", "the rollout turn".
    var what: String {
        switch self {
        case .tasks: "the upgrade tasks"
        case .rolloutTurn: "the rollout turn"
        }
    }
}
