import ChorusCore
import ChorusWire

/// `GET /rest/api/2/cluster/zdu/state`.
struct JiraStateResponse: Codable, Sendable, Equatable {
    var state: String
    var build: JiraBuild
}

struct JiraBuild: Codable, Sendable, Equatable {
    var buildNumber: Int
    var version: String
}

/// One element of `GET /rest/api/2/cluster/nodes`, with Jira's names and types.
struct JiraNodeResponse: Codable, Sendable, Equatable {
    var nodeId: String
    /// ACTIVE takes traffic, PASSIVE is draining or leaving (Jira's state for a node taken out
    /// of service), OFFLINE is dead or gone.
    var state: String
    var alive: Bool
    var ip: String
    /// Jira's cache replication port; here the gossip port, the port peers reach the node on.
    var cacheListenerPort: Int
    var nodeVersion: String
    var nodeBuildNumber: Int
    /// Unix milliseconds of the last status change this node saw.
    var lastStateChangeTimestamp: UInt64

    init(_ member: MemberSnapshot, lastStateChange: UInt64) {
        nodeId = member.name
        alive = member.status == .alive || member.status == .suspect
        state = !alive ? "OFFLINE" : member.serving == .serving ? "ACTIVE" : "PASSIVE"
        ip = member.isKnown ? member.address.host : ""
        cacheListenerPort = Int(member.address.port)
        nodeVersion = member.version
        nodeBuildNumber = JiraCompatibilityRoutes.buildNumber(of: member.version)
        lastStateChangeTimestamp = lastStateChange
    }
}

/// Jira's error body: its clients show `errorMessages` and read anything else as "Unknown error".
struct JiraErrorResponse: Codable, Sendable, Equatable {
    var errorMessages: [String]
    var errors: [String: String]
}
