import ChorusCore
import ChorusWire
import Logging

/// Owns the membership core and is the only way in or out of it: the UDP loop, the timer loop
/// and the HTTP endpoint all go through this actor. Each input is applied whole, durable
/// effects are written before the datagrams they precede are handed out.
public actor NodeRuntime: AgentStatusSource {
    private var core: MembershipNode
    private let clock: MonotonicClock
    private let persistIncarnation: @Sendable (UInt64) throws -> Void
    private var decisionStore: DecisionStore
    private let logger: Logger

    init(core: MembershipNode, clock: MonotonicClock, persistIncarnation: @escaping @Sendable (UInt64) throws -> Void,
         decisionStore: DecisionStore, logger: Logger) {
        self.core = core
        self.clock = clock
        self.persistIncarnation = persistIncarnation
        self.decisionStore = decisionStore
        self.logger = logger
    }

    func start() throws -> [OutgoingDatagram] { try carryOut(core.start(now: clock.now())) }

    func receive(_ bytes: [UInt8], from source: PeerAddress) throws -> [OutgoingDatagram] {
        try carryOut(core.receive(bytes, from: source, now: clock.now()))
    }

    func tick() throws -> [OutgoingDatagram] {
        try carryOut(core.tick(now: clock.now(), unixSeconds: clock.unixSeconds()))
    }

    func leave() throws -> [OutgoingDatagram] { try carryOut(core.leave(now: clock.now())) }

    /// How long the timer loop may sleep before the core has work.
    func timeUntilNextWakeup() -> Duration { core.nextWakeup - clock.now() }

    /// Persists in order and fails hard if it cannot: sending after a failed persist could make a
    /// restarted node reuse an incarnation, so the agent stops instead.
    private func carryOut(_ effects: [MembershipEffect]) throws -> [OutgoingDatagram] {
        var outgoing: [OutgoingDatagram] = []
        for effect in effects {
            switch effect {
            case .persistIncarnation(let incarnation):
                try persistIncarnation(incarnation)
            case .send(let bytes, let address):
                outgoing.append(OutgoingDatagram(bytes: bytes, address: address))
            case .event(let event):
                logger.info("\(event.kind.rawValue)", metadata: [
                    "member": "\(event.member.name)", "address": "\(event.member.address)",
                    "status": "\(event.member.status.rawValue)", "incarnation": "\(event.member.incarnation)",
                ])
            case .decision(.persistAcceptor(let state)):
                try decisionStore.store(state)
            case .decision(.persistDecision(let decided)):
                try decisionStore.append(decided)
            case .decision(.decided(let slot, let value, let applied)):
                logger.info("decided", metadata: ["slot": "\(slot)", "value": "\(value)", "applied": "\(applied)"])
            case .decision:
                break // commands and upgrade tasks: wired with the endpoint
            }
        }
        return outgoing
    }

    // MARK: AgentStatusSource

    public func localMember() -> MemberSnapshot { core.localMember }
    public func memberSnapshots() -> [MemberSnapshot] { core.memberSnapshots }
    public func hasJoined() -> Bool { core.hasJoined }
    public func counters() -> CoreCounters { core.counters }
}

struct OutgoingDatagram: Sendable {
    let bytes: [UInt8]
    let address: PeerAddress
}
