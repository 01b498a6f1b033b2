#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The agent's descriptor budget, settled once at start.
///
/// Running out of descriptors does not fail cleanly: libdispatch's worker-pool monitor opens
/// `/proc/<tid>/stat` about once a second and traps (SIGILL, "workq: registered worker exited
/// prematurely") when that open fails, which kills the agent mid-write. So the agent takes the
/// whole hard limit (as Go's runtime does), and refuses to start when even that leaves no room
/// for its full HTTP connection cap beside its own files, sockets and child processes.
enum DescriptorLimit {
    /// The HTTP connection cap plus what the agent holds besides (17 at rest in a three-node
    /// cluster; atomic writes, hooks and the task runner take a few more for a moment).
    static let required = UInt64(HTTPLimits.maxConnections) + 64

    /// Raises the soft RLIMIT_NOFILE to the hard one; returns the soft limit now in force.
    @discardableResult
    static func raiseToHardLimit() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(resourceNumber, &limit) == 0 else { return UInt64.max }  // cannot tell: do not refuse
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            // A hard limit of "unlimited" may exceed fs.nr_open, and setrlimit fails: keep the soft one then.
            if setrlimit(resourceNumber, &raised) == 0 { limit = raised }
        }
        return UInt64(limit.rlim_cur)
    }

    /// Raises the limit, then refuses a start that could run out of descriptors.
    static func ensure() throws {
        let available = raiseToHardLimit()
        guard available >= required else {
            throw AgentStartupError.tooFewDescriptors(limit: available, required: required)
        }
    }

    #if canImport(Glibc)
    private static let resourceNumber = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resourceNumber = RLIMIT_NOFILE
    #endif
}
