import ChorusWire

/// What the shell must do after a core input, in order.
///
/// The shell MUST carry out effects in the order given: a `persistIncarnation` is durably
/// written (fsync) before any later `send`, so a restarted node never reuses an incarnation;
/// so are a decision's `persistAcceptor` and `persistDecision`, so it never votes twice.
public enum MembershipEffect: Sendable, Equatable {
    case persistIncarnation(UInt64)
    case send([UInt8], to: PeerAddress)
    case event(MembershipEvent)
    /// An event about the cluster rather than one member (`ClusterEventTracker`).
    case clusterEvent(ClusterEvent)
    /// From the decision engine; `persist…` ones follow the same durable-before-send rule.
    case decision(DecisionEffect)
}

/// A change of a member as seen by this node.
public struct MembershipEvent: Sendable, Equatable {
    /// The member events among SPEC §8's, named by `EventName`.
    public enum Kind: Sendable, CaseIterable, RawRepresentable {
        case memberJoin, memberSuspect, memberFailed, memberLeave, memberUpdate
        /// Its key was revoked by a decision; it is no longer listed (SPEC §2).
        case memberRevoked
        /// Its certificate (this node's too) expires within 14 days; repeated daily until renewed.
        case certificateExpiring

        public var name: EventName {
            switch self {
            case .memberJoin: .memberJoin
            case .memberSuspect: .memberSuspect
            case .memberFailed: .memberFailed
            case .memberLeave: .memberLeave
            case .memberUpdate: .memberUpdate
            case .memberRevoked: .memberRevoked
            case .certificateExpiring: .certificateExpiring
            }
        }

        public var rawValue: String { name.rawValue }

        public init?(rawValue: String) {
            guard let kind = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
            self = kind
        }
    }

    public var kind: Kind
    public var member: MemberSnapshot

    public init(kind: Kind, member: MemberSnapshot) {
        self.kind = kind
        self.member = member
    }
}
