/// Liveness of a member as this node sees it (SPEC §3).
public enum MemberStatus: String, Sendable, Codable, CaseIterable {
    case alive, suspect, dead, left
}
