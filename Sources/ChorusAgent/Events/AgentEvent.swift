import ChorusCore

/// One event (SPEC §8), as sent on `GET /v1/events` (the SSE `data:`), to hook commands (stdin)
/// and printed by `chorus events`. `member` is set for member events, `cluster` for upgrade ones.
public struct AgentEvent: Codable, Sendable, Equatable {
    /// Increases by one per event on this agent; the SSE `id:`.
    public var id: UInt64
    /// Kebab-case, e.g. `member-join`, `upgrade-finished`.
    public var event: String
    /// RFC 3339 UTC time at which this agent saw it.
    public var time: String
    /// The agent that reports it.
    public var node: String
    public var member: MemberResponse?
    public var cluster: ClusterResponse?
}
