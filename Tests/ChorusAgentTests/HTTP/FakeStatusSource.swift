import ChorusCore
import ChorusWire

@testable import ChorusAgent

/// An `AgentStatusSource` whose answers the test sets directly.
actor FakeStatusSource: AgentStatusSource {
    var local: MemberSnapshot
    var others: [MemberSnapshot]
    var joined: Bool
    var coreCounters = CoreCounters()
    var cluster = FakeStatusSource.stableCluster
    /// What the next command answers; every command given is recorded.
    var nextOutcome = CommandOutcome.noQuorum
    var commands: [OperatorCommand] = []

    init(local: MemberSnapshot, others: [MemberSnapshot] = [], joined: Bool = false) {
        self.local = local
        self.others = others
        self.joined = joined
    }

    func localMember() -> MemberSnapshot { local }
    func memberSnapshots() -> [MemberSnapshot] { [local] + others }
    func hasJoined() -> Bool { joined }
    /// Set with `local.health = .unhealthy` to fail the load-balancer check.
    var healthFailure: String?
    func applicationHealthFailure() -> String? { healthFailure }
    func setApplicationHealth(_ health: ApplicationHealth, failure: String?) {
        local.health = health
        healthFailure = failure
    }
    func counters() -> CoreCounters { coreCounters }
    func clusterSnapshot() -> ClusterSnapshot { cluster }
    /// The core's clock started at the Unix epoch plus `epochMilliseconds`.
    var epochMilliseconds: UInt64 = 1_700_000_000_000
    func unixMilliseconds(at instant: Instant) -> UInt64 { epochMilliseconds + UInt64(instant.nanoseconds / 1_000_000) }
    var keyring = SealingKeyring()
    func sealingKeyring() -> SealingKeyring { keyring }
    func setKeyring(_ ring: SealingKeyring) { keyring = ring }
    var log: [DecidedSlot] = []
    func decisionLog(from: UInt64, limit: Int) -> [DecidedSlot] { Array(log.dropFirst(Int(min(from, UInt64(Int.max)))).prefix(limit)) }
    func setLog(_ slots: [DecidedSlot]) { log = slots }

    /// What `rebootSlotVerdict` answers, in turn: the last one stays.
    var verdicts: [DisruptionBudget.Verdict] = [.notAVoter]
    func rebootSlotVerdict(clientID: String, group: String) -> DisruptionBudget.Verdict {
        verdicts.count > 1 ? verdicts.removeFirst() : verdicts[0]
    }
    func setVerdicts(_ next: [DisruptionBudget.Verdict]) { verdicts = next }
    func names(of members: [NodeID]) -> [String] {
        members.map { id in ([local] + others).first { $0.id == id }?.name ?? id.short }
    }

    func submit(_ command: OperatorCommand) -> CommandOutcome {
        commands.append(command)
        return nextOutcome
    }

    var leaveRequests = 0

    func setDraining(_ draining: Bool) -> MemberSnapshot {
        local.serving = draining ? .draining : .serving
        return local
    }

    func requestLeave() { leaveRequests += 1 }

    /// Every `join` call's addresses; `joinAnswer` is who answers it (added as alive members).
    var joins: [[PeerAddress]] = []
    var joinAnswer: [MemberSnapshot] = []
    func join(through addresses: [PeerAddress]) {
        joins.append(addresses)
        others += joinAnswer
    }
    func answerJoins(with members: [MemberSnapshot]) { joinAnswer = members }

    /// What `POST /v1/reload` answers: a response, or nil for a refusal; every call is counted.
    var reloadAnswer: ReloadResponse?
    var reloads = 0
    func reload(by caller: String) throws -> ReloadResponse {
        reloads += 1
        guard let reloadAnswer else { throw ReloadRefusal("the certificate is not usable: it is expired") }
        return reloadAnswer
    }
    func answerReloads(with answer: ReloadResponse?) { reloadAnswer = answer }

    func answerCommands(with outcome: CommandOutcome) { nextOutcome = outcome }
    func setCluster(_ snapshot: ClusterSnapshot) { cluster = snapshot }

    /// A founded three-voter cluster on 1.2.3 with no upgrade in progress.
    static var stableCluster: ClusterSnapshot {
        var agreed = AgreedState()
        let ids = (1...3).map { NodeID(bytes: Array(repeating: UInt8($0), count: 32))! }
        agreed.apply(.found(founder: ids[0], clusterVersion: "1.2.3"), slot: 0)
        agreed.apply(.admit([ids[1]]), slot: 1)
        agreed.apply(.admit([ids[2]]), slot: 2)
        return ClusterSnapshot(status: UpgradeStatus(state: .stable), agreed: agreed, voterNames: ["a", "b", "c"],
                               taskRunner: nil, converged: true, decidedSlots: 3, localIncompatibility: nil)
    }

    func update(joined: Bool? = nil, serving: ServingState? = nil, counters: CoreCounters? = nil) {
        if let joined { self.joined = joined }
        if let serving { local.serving = serving }
        if let counters { coreCounters = counters }
    }

    /// A member whose id is 32 copies of `seed`, at 10.0.0.`seed`:7720.
    static func member(
        _ name: String, seed: UInt8, status: MemberStatus = .alive, serving: ServingState = .serving, isLocal: Bool = false
    ) -> MemberSnapshot {
        MemberSnapshot(
            name: name, id: NodeID(bytes: Array(repeating: seed, count: 32))!,
            address: PeerAddress(ipv4: 10, 0, 0, seed, port: 7720), status: status, version: "1.2.3",
            incarnation: UInt64(seed), serving: serving, protocolVersion: 1, voter: status != .left, isLocal: isLocal)
    }
}
