import ChorusWire

/// What a node says about taking traffic, carried in its heartbeat.
public enum ServingState: String, Sendable, Codable, CaseIterable {
    case serving, draining, leaving

    var wireValue: UInt8 {
        switch self {
        case .serving: 0
        case .draining: 1
        case .leaving: 2
        }
    }

    /// Unknown values from a newer protocol read as `serving` would be wrong; they read as draining,
    /// the cautious choice for a load balancer.
    init(wireValue: UInt8) {
        switch wireValue {
        case 0: self = .serving
        case 2: self = .leaving
        default: self = .draining
        }
    }
}

/// A read-only view of one member, for the endpoint, the CLI and tests.
public struct MemberSnapshot: Sendable, Equatable {
    public var name: String
    public var id: NodeID
    public var address: PeerAddress
    public var status: MemberStatus
    public var version: String
    public var incarnation: UInt64
    public var serving: ServingState
    public var protocolVersion: UInt8
    /// Every admitted member votes until upgrade compatibility rules exist (issue 4); left ones do not.
    public var voter: Bool
    public var isLocal: Bool
    /// When the member's certificate stops being valid (Unix seconds); its messages are refused
    /// from then on, so the agent warns weeks ahead (SPEC §2, Certificate lifecycle).
    public var certificateExpiresAt: UInt64
    /// When this node last saw the member's status change (or first saw it; for itself, when it
    /// started): Jira's `lastStateChangeTimestamp`, converted by the shell, which owns the clocks.
    public var statusChangedAt: Instant
    /// False for a voter the decision log names but this node holds no member entry for
    /// (`MembershipNode.departedVoterSnapshots`): its address, version and incarnation are unknown.
    public var isKnown: Bool
    /// The member's application health check, as its last heartbeat said (SPEC §13).
    public var health: ApplicationHealth

    public init(name: String, id: NodeID, address: PeerAddress, status: MemberStatus, version: String,
                incarnation: UInt64, serving: ServingState, protocolVersion: UInt8, voter: Bool, isLocal: Bool,
                certificateExpiresAt: UInt64 = .max, statusChangedAt: Instant = .zero, isKnown: Bool = true,
                health: ApplicationHealth = .unknown) {
        self.name = name
        self.id = id
        self.address = address
        self.status = status
        self.version = version
        self.incarnation = incarnation
        self.serving = serving
        self.protocolVersion = protocolVersion
        self.voter = voter
        self.isLocal = isLocal
        self.certificateExpiresAt = certificateExpiresAt
        self.statusChangedAt = statusChangedAt
        self.isKnown = isKnown
        self.health = health
    }
}

extension PeerAddress {
    /// 0.0.0.0:0, where a snapshot has no address to give (`MemberSnapshot.isKnown` false).
    public static let unknown = PeerAddress(ipv4: 0, 0, 0, 0, port: 0)
}
