/// Why the agent refused to start. Each message names what to fix.
enum AgentStartupError: Error, CustomStringConvertible {
    case noTrust
    case unresolvable(String)
    case certificateMismatch(String)
    case noAdvertiseAddress
    case tooFewDescriptors(limit: UInt64, required: UInt64)
    case noApplicationVersion(String)

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
        case .noApplicationVersion(let reason):
            "cannot read the application's version (\(reason)); the agent starts once it can, or with a fixed --app-version"
        case .tooFewDescriptors(let limit, let required):
            "the open-files limit is \(limit) and the agent needs at least \(required) (\(HTTPLimits.maxConnections) HTTP connections and its own "
                + "files); raise it: `ulimit -n \(required)`, or LimitNOFILE= in the systemd unit (the shipped unit sets 65536)"
        }
    }
}
