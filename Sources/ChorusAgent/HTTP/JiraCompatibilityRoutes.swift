import ChorusCore
import ChorusWire
import HTTPTypes
import Hummingbird

/// Jira Data Center's zero-downtime-upgrade REST paths, with the status codes, types and error
/// bodies real Jira scripts check (SPEC §7; docs/jira-compatibility.md): `start` answers 201,
/// `cancel`, `approve` and `retryUpgrade` 200, all with an empty body as Jira's do; build numbers
/// are integers; refusals carry `errorMessages` (`ErrorBody`).
enum JiraCompatibilityRoutes {
    static func routes(source: some AgentStatusSource, authorization: AdminAuthorization) -> [HTTPRoute] {
        var routes = [
            HTTPRoute(.get, "/rest/api/2/cluster/zdu/state") { _, _ in
                let snapshot = await source.clusterSnapshot()
                // Until the founding decision reaches this node nothing is agreed; Jira always
                // names a build, and this node's is the one it would report.
                let agreed = snapshot.agreed.clusterVersion
                let version = agreed.isEmpty ? await source.localMember().version : agreed
                return try JSONResponse.make(JiraStateResponse(
                    state: snapshot.status.state.rawValue,
                    build: JiraBuild(buildNumber: buildNumber(of: version), version: version)))
            },
            HTTPRoute(.get, "/rest/api/2/cluster/nodes") { _, _ in
                var nodes: [JiraNodeResponse] = []
                for member in await source.memberSnapshots().sorted(by: { $0.name < $1.name }) {
                    nodes.append(JiraNodeResponse(member, lastStateChange: await source.unixMilliseconds(at: member.statusChangedAt)))
                }
                return try JSONResponse.make(nodes)
            },
        ]
        // Atlassian's own upgrade automation requires 201 for start and 200 for the others; Jira's
        // published REST description says 201 for cancel too. The automation is what scripts run.
        let paths: [(String, OperatorCommand, HTTPResponse.Status)] = [
            ("start", .startUpgrade, .created), ("cancel", .cancelUpgrade, .ok), ("approve", .approveUpgrade, .ok),
            ("retryUpgrade", .retryUpgrade, .ok),
        ]
        for (path, command, status) in paths {
            routes.append(HTTPRoute(.post, RouterPath(stringLiteral: "/rest/api/2/cluster/zdu/" + path)) { request, _ in
                try await authorization.check(request)
                _ = try await ClusterRoutes.commit(command, source: source)
                return Response(status: status)
            })
        }
        return routes
    }

    /// MAJOR * 1,000,000 + MINOR * 1,000 + PATCH: increasing with the version, as Jira's are;
    /// 0 for a version that is not semantic or does not fit (a minor or patch of 1,000 or more,
    /// a number past what a JSON reader holds exactly: a peer's heartbeat may say anything).
    static func buildNumber(of version: String) -> Int {
        guard let parsed = SemanticVersion(version), parsed.major < 9_000_000_000, parsed.minor < 1_000,
              parsed.patch < 1_000 else { return 0 }
        return parsed.major * 1_000_000 + parsed.minor * 1_000 + parsed.patch
    }
}
