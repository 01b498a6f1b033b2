import ChorusCore
import ChorusWire

/// What the local HTTP endpoint reads from the running agent.
///
/// The endpoint holds no state of its own: every request asks the source, so answers are as fresh
/// as the shell's view. Implementations MUST be cheap and MUST NOT wait on the network (SPEC §8:
/// reading the state is cheap, no cluster-wide round trip); they are called on request tasks,
/// concurrently with each other and with the gossip loop.
public protocol AgentStatusSource: Sendable {
    func localMember() async -> MemberSnapshot
    /// Every member this node knows, itself included, tombstones (dead, left) too.
    func memberSnapshots() async -> [MemberSnapshot]
    /// True once this node has exchanged state with at least one other member, or it is alone with no seeds configured.
    func hasJoined() async -> Bool
    /// Why the application's last health check failed (SPEC §13); nil when it passed or none is configured.
    func applicationHealthFailure() async -> String?
    func counters() async -> CoreCounters
    /// The upgrade state and the decisions it rests on.
    func clusterSnapshot() async -> ClusterSnapshot
    /// The wall-clock time, Unix milliseconds, of an instant of the core's clock.
    func unixMilliseconds(at instant: Instant) async -> UInt64
    /// The gossip keys this node seals with and accepts now (never shown: only their ids are).
    func sealingKeyring() async -> SealingKeyring
    /// Decided slots from `from`, at most `limit` of them, with their proofs (`GET /v1/decisions`).
    func decisionLog(from: UInt64, limit: Int) async -> [DecidedSlot]
    /// Whether this node may take a reboot slot for FleetLock client `clientID` now, as the
    /// decision log and this node's view say (`DisruptionBudget`).
    func rebootSlotVerdict(clientID: String, group: String) async -> DisruptionBudget.Verdict
    /// The members' names, for messages; an id this node cannot name is given short.
    func names(of members: [NodeID]) async -> [String]
    /// Gives an operator command to the cluster; returns when it is decided, refused or timed out.
    /// The one call that waits on the network: only mutations (POST, DELETE) make it.
    func submit(_ command: OperatorCommand) async throws -> CommandOutcome
    /// Drains or undrains this node (SPEC §6), durably, and gossips the new heartbeat; returns this node.
    func setDraining(_ draining: Bool) async throws -> MemberSnapshot
    /// Sends join requests to `addresses` now (`chorus join`); the answers arrive as gossip.
    func join(through addresses: [PeerAddress]) async throws
    /// Starts a graceful leave and returns at once, so the caller can still answer: the agent
    /// announces it, then stops as on SIGTERM.
    func requestLeave() async
    /// Reads the certificate and configuration again and puts into force what can change live
    /// (`AgentReloader`); throws `ReloadRefusal` when nothing changed. `caller` is for the log.
    func reload(by caller: String) async throws -> ReloadResponse
}
