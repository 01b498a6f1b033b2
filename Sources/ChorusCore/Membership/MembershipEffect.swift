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
    /// From the decision engine; `persist…` ones follow the same durable-before-send rule.
    case decision(DecisionEffect)
}

/// A change of a member as seen by this node (SPEC §8 names).
public struct MembershipEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case memberJoin = "member-join"
        case memberSuspect = "member-suspect"
        case memberFailed = "member-failed"
        case memberLeave = "member-leave"
        case memberUpdate = "member-update"
        /// Its key was revoked by a decision; it is no longer listed (SPEC §2).
        case memberRevoked = "member-revoked"
    }

    public var kind: Kind
    public var member: MemberSnapshot

    public init(kind: Kind, member: MemberSnapshot) {
        self.kind = kind
        self.member = member
    }
}
