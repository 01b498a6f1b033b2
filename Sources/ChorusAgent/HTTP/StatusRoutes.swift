import ChorusCore
import HTTPTypes
import Hummingbird

/// The read-only routes: health, the load-balancer check, this node, the members, metrics.
enum StatusRoutes {
    static func routes(source: some AgentStatusSource, metrics: MetricsExporter) -> [HTTPRoute] {
        [
            HTTPRoute(.get, "/v1/health") { _, _ in
                let now = MonotonicClock.unixSeconds()
                let expiring = CertificateExpiry.expiring(await source.memberSnapshots(), unixSeconds: now)
                let certificates = HealthCheck(
                    name: "certificates", status: expiring.isEmpty ? "passing" : "failing",
                    detail: expiring.isEmpty ? "every member's certificate is valid for more than 14 days"
                        : expiring.map { CertificateExpiry.describe($0, unixSeconds: now) }.joined(separator: "; "))
                return try JSONResponse.make(HealthResponse(status: expiring.isEmpty ? "ok" : "degraded",
                                                            node: await source.localMember().name, checks: [certificates]))
            },
            HTTPRoute(.get, "/v1/health/lb") { _, _ in
                let cluster = await source.clusterSnapshot()
                let local = await source.localMember()
                let refusal = refusal(local: local, joined: await source.hasJoined(), now: MonotonicClock.unixSeconds(),
                                      incompatibility: cluster.localIncompatibility,
                                      maintenance: cluster.agreed.maintenanceMessage != nil,
                                      nameConflict: cluster.localNameConflict != nil,
                                      removed: cluster.agreed.removed.contains(local.id))
                guard let refusal else { return try JSONResponse.make(LoadBalancerOKResponse(status: "ok")) }
                let message = switch refusal {
                case .maintenance: cluster.agreed.maintenanceMessage
                case .duplicateName: cluster.localNameConflict
                case .unhealthy: await source.applicationHealthFailure()
                default: String?.none
                }
                return try JSONResponse.make(
                    LoadBalancerRefusalResponse(error: "unavailable", reason: refusal.rawValue, message: message),
                    status: .serviceUnavailable)
            },
            HTTPRoute(.get, "/v1/self") { _, _ in
                try JSONResponse.make(MemberResponse(await source.localMember()))
            },
            HTTPRoute(.get, "/v1/members") { _, _ in
                let members = await source.memberSnapshots().sorted { ($0.name, $0.id) < ($1.name, $1.id) }
                return try JSONResponse.make(members.map(MemberResponse.init))
            },
            HTTPRoute(.get, "/metrics") { _, _ in
                metrics.update(cluster: await source.clusterSnapshot(), local: await source.localMember())
                metrics.updateCertificates(members: await source.memberSnapshots(), unixSeconds: MonotonicClock.unixSeconds())
                let text = metrics.render(counters: await source.counters(), members: await source.memberSnapshots())
                return Response(
                    status: .ok,
                    headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            },
        ]
    }

    /// Why a node must not take traffic, in kebab-case for the 503 body; nil when it should.
    enum Refusal: String {
        case notJoined = "not-joined"
        case certificateExpired = "certificate-expired"
        case duplicateName = "duplicate-name"
        case draining, leaving, incompatible, maintenance, removed, unhealthy
    }

    /// An operator's intent (drain, leave) is reported before the join state: it is the reason
    /// that will still hold once the node has joined.
    /// An incompatible version (SPEC §4) refuses traffic whatever the operator intends; cluster-wide
    /// maintenance comes next, so every node of the cluster gives the same reason during a backup.
    /// A node whose own certificate expired comes first: every peer refuses it, so it serves a
    /// cluster it is no longer part of, while it may still see itself as alive.
    /// So does one whose name a live member already holds: the cluster refuses its heartbeats,
    /// and one the cluster removed or revoked: whatever it still sees, it is no member.
    /// An application failing its health check (SPEC §13) comes after the operator's intent:
    /// a node drained for its upgrade says `draining` while its application restarts.
    static func refusal(local: MemberSnapshot, joined: Bool, now: UInt64, incompatibility: String? = nil,
                        maintenance: Bool = false, nameConflict: Bool = false, removed: Bool = false) -> Refusal? {
        if local.certificateExpiresAt <= now { return .certificateExpired }
        if removed { return .removed }
        if nameConflict { return .duplicateName }
        if incompatibility != nil { return .incompatible }
        if maintenance { return .maintenance }
        switch local.serving {
        case .leaving: return .leaving
        case .draining: return .draining
        case .serving: break
        }
        if local.status == .left { return .leaving }
        if local.health == .unhealthy { return .unhealthy }
        return joined ? nil : .notJoined
    }
}
