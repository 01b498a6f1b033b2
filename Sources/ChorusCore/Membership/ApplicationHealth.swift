/// What a node's application health check (`[app] health_url` or `health_command`, SPEC §13)
/// last said, carried in its heartbeat. `unknown`: no check is configured, none has finished
/// yet, or the member runs an agent from before checks.
public enum ApplicationHealth: String, Sendable, Codable, CaseIterable {
    case unknown, healthy, unhealthy

    var wireValue: UInt8 {
        switch self {
        case .unknown: 0
        case .healthy: 1
        case .unhealthy: 2
        }
    }

    /// A value from a newer protocol reads as unknown: not known to be failing.
    init(wireValue: UInt8) {
        switch wireValue {
        case 1: self = .healthy
        case 2: self = .unhealthy
        default: self = .unknown
        }
    }
}
