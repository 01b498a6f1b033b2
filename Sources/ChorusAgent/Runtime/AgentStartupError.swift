/// Why the agent refused to start. Each message names what to fix.
enum AgentStartupError: Error, CustomStringConvertible {
    case noTrust
    case unresolvable(String)
    case certificateMismatch(String)
    case noAdvertiseAddress

    var description: String {
        switch self {
        case .noTrust:
            "no cluster trust configured: pass --authority FILE with --certificate FILE, or --authority-key FILE (development)"
        case .unresolvable(let address):
            "cannot resolve \(address) to an IP address"
        case .certificateMismatch(let reason):
            "the node certificate cannot be used: \(reason)"
        case .noAdvertiseAddress:
            "bound to a wildcard address and no non-loopback interface found: pass --advertise HOST:PORT"
        }
    }
}
