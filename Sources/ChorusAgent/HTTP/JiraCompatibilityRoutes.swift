import ChorusCore
import ChorusWire
import HTTPTypes
import Hummingbird

/// Jira Data Center's zero-downtime-upgrade REST paths and shapes, so existing upgrade scripts
/// work unchanged (SPEC §7). The build number is derived from the version (docs/endpoint.md).
enum JiraCompatibilityRoutes {
    static func routes(source: some AgentStatusSource, authorization: AdminAuthorization) -> [HTTPRoute] {
        var routes = [
            HTTPRoute(.get, "/rest/api/2/cluster/zdu/state") { _, _ in
                let snapshot = await source.clusterSnapshot()
                let version = snapshot.agreed.clusterVersion
                return try JSONResponse.make(JiraStateResponse(
                    state: snapshot.status.state.rawValue,
                    build: JiraBuild(buildNumber: buildNumber(of: version), version: version)))
            },
            HTTPRoute(.get, "/rest/api/2/cluster/nodes") { _, _ in
                let members = await source.memberSnapshots().sorted { $0.name < $1.name }
                return try JSONResponse.make(members.map(JiraNodeResponse.init))
            },
        ]
        let paths: [(String, OperatorCommand)] = [
            ("start", .startUpgrade), ("cancel", .cancelUpgrade), ("approve", .approveUpgrade), ("retryUpgrade", .retryUpgrade),
        ]
        for (path, command) in paths {
            routes.append(HTTPRoute(.post, RouterPath(stringLiteral: "/rest/api/2/cluster/zdu/" + path)) { request, _ in
                try await authorization.check(request)
                return try await ClusterRoutes.answer(command, source: source)
            })
        }
        return routes
    }

    /// MAJOR * 1,000,000 + MINOR * 1,000 + PATCH: increasing with the version, as Jira's are.
    static func buildNumber(of version: String) -> String {
        guard let parsed = SemanticVersion(version) else { return "0" }
        return String(parsed.major * 1_000_000 + parsed.minor * 1_000 + parsed.patch)
    }
}

struct JiraStateResponse: Codable, Sendable, Equatable {
    var state: String
    var build: JiraBuild
}

struct JiraBuild: Codable, Sendable, Equatable {
    var buildNumber: String
    var version: String
}

/// One element of `GET /rest/api/2/cluster/nodes`.
struct JiraNodeResponse: Codable, Sendable, Equatable {
    var nodeId: String
    var state: String
    var alive: Bool
    var ip: String
    var nodeVersion: String
    var nodeBuildNumber: String

    init(_ member: MemberSnapshot) {
        nodeId = member.name
        alive = member.status == .alive || member.status == .suspect
        state = alive ? "ACTIVE" : "OFFLINE"
        ip = member.address.description.split(separator: ":").first.map(String.init) ?? ""
        nodeVersion = member.version
        nodeBuildNumber = JiraCompatibilityRoutes.buildNumber(of: member.version)
    }
}
