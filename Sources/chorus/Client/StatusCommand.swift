import ArgumentParser
import ChorusAgent
import ChorusCore
import Foundation

/// `chorus status`: this node, its load-balancer check, member counts, and the cluster's upgrade
/// state (versions, voters and quorum, task runner), maintenance mode and banner.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show this agent's node, its load-balancer check, member counts and the upgrade state.",
        discussion: """
            A failing load-balancer check (503) is reported, not treated as an error. \
            Exit codes: 0 ok, 1 the agent answered with an error, 2 the agent is unreachable.
            """)

    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = options.client()
        let node = try await client.get("/v1/self", as: MemberResponse.self)
        let members = try await client.get("/v1/members", as: [MemberResponse].self)
        let lb = try await loadBalancerCheck(client)
        let cluster = try await client.get("/v1/cluster", as: ClusterResponse.self)
        let counts = Dictionary(grouping: members, by: \.status).mapValues(\.count)
        let report = StatusReport(
            node: node,
            members: Dictionary(uniqueKeysWithValues: MemberStatus.allCases.map { ($0.rawValue, counts[$0] ?? 0) }),
            lb: lb, cluster: cluster)
        if options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.humanText)
        }
    }

    /// 200 and 503 are both answers about the node; any other status is an agent error.
    private func loadBalancerCheck(_ client: AgentClient) async throws -> StatusReport.LoadBalancerCheck {
        let path = "/v1/health/lb"
        let (status, body) = try await client.get(path)
        switch status {
        case 200: return .init(ok: true, reason: nil)
        case 503: return .init(ok: false, reason: try client.decode(ErrorResponse.self, from: body, path: path).reason)
        default: throw client.failure(path, status: status, body: body)
        }
    }
}

/// The `--json` shape of `chorus status`:
/// `{"self": ..., "members": {status: count}, "lb": {"ok", "reason"}, "cluster": GET /v1/cluster}`.
struct StatusReport: Encodable {
    var node: MemberResponse
    var members: [String: Int]
    var lb: LoadBalancerCheck
    var cluster: ClusterResponse

    enum CodingKeys: String, CodingKey {
        case node = "self", members, lb, cluster
    }

    struct LoadBalancerCheck: Encodable {
        var ok: Bool
        var reason: String?

        /// `reason` is written as null when the check passes, so the shape never changes.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(ok, forKey: .ok)
            try container.encode(reason, forKey: .reason)
        }

        enum CodingKeys: String, CodingKey { case ok, reason }
    }

    var humanText: String {
        let counts = MemberStatus.allCases.map { "\(members[$0.rawValue] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        let rows: [(String, String)] = [
            ("Node", node.name),
            ("ID", node.id),
            ("Address", node.address),
            ("Version", node.version),
            ("Incarnation", String(node.incarnation)),
            ("Status", node.status.rawValue),
            ("Serving", node.serving.rawValue),
            ("App health", node.health.map(\.rawValue) ?? "unknown"),
            ("Protocol", String(node.protocolVersion)),
            ("LB check", lb.ok ? "ok" : "unavailable (\(lb.reason ?? "unknown"))"),
            ("Members", counts),
            ("Upgrade", cluster.state + (cluster.waitingFor.map { " (\($0))" } ?? "")),
            ("Cluster ver.", cluster.clusterVersion + (cluster.targetVersion.map { " → \($0)" } ?? "")),
            ("Voters", "\(cluster.voters.count) (quorum \(cluster.quorum)): \(cluster.voters.joined(separator: ", "))"),
            ("Task runner", cluster.taskRunner ?? "none"),
            ("Maintenance", cluster.maintenance.enabled ? "on" + (cluster.maintenance.message.map { $0.isEmpty ? "" : ": \($0)" } ?? "") : "off"),
            ("Banner", cluster.banner.map { "[\($0.level)] \($0.message)" + ($0.expiresAt.map { " (until \($0))" } ?? "") } ?? "none"),
            ("Converged", cluster.converged ? "yes" : "no (decisions still spreading)"),
        ]
        return TextTable.keyValues(rows)
    }
}
