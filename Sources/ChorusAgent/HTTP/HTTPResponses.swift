import ChorusCore
import ChorusWire

// The JSON bodies of the local endpoint (SPEC §7). Field names are part of the contract that
// scripts and external tests check; the CLI decodes these same types.

/// `GET /v1/health`: the agent process is up.
public struct HealthResponse: Codable, Sendable, Equatable {
    /// "ok", or "degraded" while a check fails; the HTTP status stays 200 (the agent is alive).
    public var status: String
    public var node: String
    public var checks: [HealthCheck]
}

/// One detail of `GET /v1/health`.
public struct HealthCheck: Codable, Sendable, Equatable {
    /// "certificates": every member's certificate is valid for more than 14 days.
    public var name: String
    /// "passing" or "failing".
    public var status: String
    public var detail: String
}

/// `GET /v1/health/lb` when the node should take traffic.
public struct LoadBalancerOKResponse: Codable, Sendable, Equatable {
    public var status: String
}

/// Every error: a stable kebab-case `error` code scripts can branch on, and a `reason` for people.
public struct ErrorResponse: Codable, Sendable, Equatable {
    public var error: String
    public var reason: String

    public init(error: String, reason: String) {
        self.error = error
        self.reason = reason
    }
}

/// The 503 of `GET /v1/health/lb`: the kebab-case refusal `reason` (draining, maintenance, ...) and,
/// in maintenance, the operator's `message` for the maintenance page; `message` is absent otherwise.
public struct LoadBalancerRefusalResponse: Codable, Sendable, Equatable {
    public var error: String
    public var reason: String
    public var message: String?
}

/// One element of `GET /v1/members`, and the body of `GET /v1/self` (this node as it describes
/// itself in its heartbeat).
public struct MemberResponse: Codable, Sendable, Equatable {
    public var name: String
    public var id: String
    public var address: String
    public var status: MemberStatus
    public var version: String
    public var incarnation: UInt64
    public var serving: ServingState
    public var voter: Bool
    public var protocolVersion: UInt8
    /// ISO 8601; after it, every agent refuses the member's messages.
    public var certificateExpiresAt: String
    /// False for a voter this agent holds no member entry for (its entry was reaped, or it has
    /// not been heard of since this agent started): listed so it can be removed by name; its
    /// address is empty and its status `dead`. Always sent; optional only so that the CLI reads
    /// agents from before it.
    public var known: Bool?
    /// The member's application health check (SPEC §13): healthy, unhealthy, or unknown (none
    /// configured, or an agent from before checks). Optional only so that the CLI reads agents
    /// from before it.
    public var health: ApplicationHealth?

    public init(_ member: MemberSnapshot) {
        name = member.name
        id = member.id.hex
        address = member.isKnown ? member.address.description : ""
        status = member.status
        version = member.version
        incarnation = member.incarnation
        serving = member.serving
        voter = member.voter
        protocolVersion = member.protocolVersion
        certificateExpiresAt = CertificateExpiry.iso8601(member.certificateExpiresAt)
        known = member.isKnown
        health = member.health
    }
}
