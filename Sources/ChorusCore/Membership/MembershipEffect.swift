import ChorusWire

/// What the shell must do after a core input, in order.
///
/// The shell MUST carry out effects in the order given: a `persistIncarnation` is durably
/// written (fsync) before any later `send`, so a restarted node never reuses an incarnation.
public enum MembershipEffect: Sendable, Equatable {
    case persistIncarnation(UInt64)
    case send([UInt8], to: PeerAddress)
    case event(MembershipEvent)
}

/// A change of a member as seen by this node (SPEC §8 names).
public struct MembershipEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case memberJoin = "member-join"
        case memberSuspect = "member-suspect"
        case memberFailed = "member-failed"
        case memberLeave = "member-leave"
        case memberUpdate = "member-update"
    }

    public var kind: Kind
    public var member: MemberSnapshot

    public init(kind: Kind, member: MemberSnapshot) {
        self.kind = kind
        self.member = member
    }
}
