import ChorusCore
import ChorusWire
import Logging

/// Owns the membership core and is the only way in or out of it: the UDP loop, the timer loop,
/// the HTTP endpoint and the upgrade-tasks runner all go through this actor. Each input is
/// applied whole, and only once its durable effects are written (`step`).
public actor NodeRuntime: AgentStatusSource {
    private var core: MembershipNode
    private let clock: MonotonicClock
    private let persistIncarnation: @Sendable (UInt64) throws -> Void
    private let persistDraining: @Sendable (Bool) throws -> Void
    private let persistVoterNames: @Sendable (VoterNames) throws -> Void
    /// `VoterNames.revision` as last written; a failed write is tried again at each tick and
    /// logged once.
    private var storedVoterNamesRevision: UInt64?
    private var voterNamesFailing = false
    private var decisionStore: DecisionStore
    private let journal: EventJournal
    /// `[upgrade] tasks_command` and `tasks_timeout` as last (re)loaded: the next start uses them.
    var tasksCommand: UpgradeTasksCommand
    /// The lease term whose tasks command runs, and how to stop it; its end is reported only
    /// while it is still here.
    var runningTasks: (term: UInt32, stop: AsyncStream<Never>.Continuation)?
    /// `[rollout]` as last (re)loaded: the next turn uses it.
    var rolloutSettings: RolloutSettings
    /// The rollout turn this node runs, and how to stop it.
    var runningTurn: (term: UInt32, stop: AsyncStream<Never>.Continuation)?
    /// Ended task runs and rollout turns the core has not taken in, because the disk refused
    /// what they led to: offered again at each tick, so a full disk delays the cluster hearing
    /// of them instead of losing them (a lost end held the lease or the slot until a restart).
    private var unreportedEnds: [CommandEnd] = []
    /// Asks the application watch for a fresh reading (set by `AgentMain`).
    var checkApplication: @Sendable () async -> Void = {}
    let children: ChildTasks
    let logger: Logger
    /// Every datagram the core sends, in order, whatever input caused it; the gossip service's
    /// send loop is its one reader.
    nonisolated let outgoing: AsyncStream<[OutgoingDatagram]>
    private let sending: AsyncStream<[OutgoingDatagram]>.Continuation
    /// Rung when an input queues work due before the time the timer loop sleeps until.
    let alarm = WakeAlarm()
    /// The core's wakeup the timer loop is sleeping until; nil while it runs a tick.
    private var armedWakeup: Instant?
    /// Stops the agent gracefully (leave, then exit), as SIGTERM does; set by `AgentMain`.
    private var shutdown: (@Sendable () async -> Void)?
    /// Reloads the certificate and the live settings; set by `AgentMain`.
    private var reloader: AgentReloader?
    private var nextRequestID: UInt64 = 1
    private var waitingCommands: [UInt64: CheckedContinuation<CommandOutcome, any Error>] = [:]
    /// The last write failed: logged once, until one succeeds again.
    private var storageFailing = false
    /// Why the application's last health check failed (`ApplicationWatch`).
    private var healthFailure: String?
    /// Why the cluster refuses this node's name, as last logged.
    private var loggedNameConflict: String?

    init(core: MembershipNode, clock: MonotonicClock, persistIncarnation: @escaping @Sendable (UInt64) throws -> Void,
         persistDraining: @escaping @Sendable (Bool) throws -> Void,
         persistVoterNames: @escaping @Sendable (VoterNames) throws -> Void,
         decisionStore: DecisionStore, journal: EventJournal, tasksCommand: UpgradeTasksCommand,
         rolloutSettings: RolloutSettings, children: ChildTasks, logger: Logger) {
        self.core = core
        self.clock = clock
        self.persistIncarnation = persistIncarnation
        self.persistDraining = persistDraining
        self.persistVoterNames = persistVoterNames
        self.decisionStore = decisionStore
        self.journal = journal
        self.tasksCommand = tasksCommand
        self.rolloutSettings = rolloutSettings
        self.children = children
        self.logger = logger
        (outgoing, sending) = AsyncStream.makeStream()
    }

    func attachShutdown(_ stop: @escaping @Sendable () async -> Void) { shutdown = stop }
    func attachReloader(_ reloader: AgentReloader) { self.reloader = reloader }
    func attachApplicationCheck(_ check: @escaping @Sendable () async -> Void) { checkApplication = check }

    func start() throws { try step { $0.start(now: clock.now()) } }

    /// A datagram whose effects cannot be stored is as good as lost: the core is back where it
    /// was, and the agent goes on receiving (membership needs no disk unless it must refute).
    func receive(_ bytes: [UInt8], from source: PeerAddress) {
        try? step { $0.receive(bytes, from: source, now: clock.now()) }
    }

    func tick() {
        armedWakeup = nil
        try? step { $0.tick(now: clock.now(), unixSeconds: clock.unixSeconds()) }
        reportEndsAgain()
        noteNameConflict()
        storeVoterNamesIfChanged()
    }

    /// Off the receive path: the names change only when voters or their entries come and go.
    private func storeVoterNamesIfChanged() {
        let revision = core.voterNames.revision
        guard revision != storedVoterNamesRevision else { return }
        do {
            try persistVoterNames(core.voterNameBook)
            storedVoterNamesRevision = revision
            voterNamesFailing = false
        } catch {
            if !voterNamesFailing { logger.warning("cannot store the voters' names", metadata: ["error": "\(error)"]) }
            voterNamesFailing = true
        }
    }

    func leave() throws { try step { $0.leave(now: clock.now()) } }

    /// How long the timer loop may sleep before the core has work; inputs that queue earlier
    /// work until then ring `alarm`.
    func armTimer() -> Duration {
        armedWakeup = core.nextWakeup
        return core.nextWakeup - clock.now()
    }

    /// Gives an operator command to the cluster and waits for its outcome (at most the
    /// decision settings' command timeout).
    public func submit(_ command: OperatorCommand) async throws -> CommandOutcome {
        let requestID = nextRequestID
        nextRequestID += 1
        return try await withCheckedThrowingContinuation { continuation in
            waitingCommands[requestID] = continuation
            do {
                try step { $0.submit(command, requestID: requestID, now: clock.now()) }
            } catch {
                waitingCommands[requestID] = nil
                continuation.resume(throwing: error)
            }
        }
    }

    /// Sends join requests to `addresses` (`POST /v1/join`); the answers arrive as gossip.
    public func join(through addresses: [PeerAddress]) throws {
        try step { $0.join(through: addresses, now: clock.now()) }
    }

    /// Written before the heartbeat that announces it, so a node drained and then killed comes back drained.
    public func setDraining(_ draining: Bool) throws -> MemberSnapshot {
        guard core.localMember.serving != .leaving else { return core.localMember }
        do {
            try persistDraining(draining)
        } catch {
            throw StorageFailure(error)
        }
        try step { $0.setServing(draining ? .draining : .serving, now: clock.now()) }
        return core.localMember
    }

    /// Gives the core a reloaded certificate; a renewal goes out with the next gossip round.
    func replaceCertificate(_ certificate: Certificate) -> CertificateReplacement {
        var outcome = CertificateReplacement.unchanged
        do {
            try step { core in
                let (result, effects) = core.replaceCertificate(certificate, now: clock.now(), unixSeconds: clock.unixSeconds())
                outcome = result
                return effects
            }
        } catch {
            return .refused("cannot store protocol state: \(error)")
        }
        return outcome
    }

    public func reload(by caller: String) async throws -> ReloadResponse {
        guard let reloader else { throw ReloadRefusal("this agent cannot reload") }
        return try await reloader.reload(by: caller)
    }

    /// Returns at once: the leave runs after the caller's answer has gone.
    public func requestLeave() {
        guard let shutdown else { return }
        children.spawn(shutdown)
    }

    /// The application watch's latest reading (SPEC §13); a nil version (unreadable) keeps the one in force.
    func setApplicationFacts(version: String?, health: ApplicationHealth, failure: String?) {
        healthFailure = failure
        let running = core.localMember.version
        let version = version ?? running
        if version != running {
            logger.notice("application version changed", metadata: ["from": "\(running)", "to": "\(version)"])
        }
        try? step { $0.setApplicationFacts(version: version, health: health, now: clock.now()) }
    }

    func rolloutTurnEnded(term: UInt32, failure: String?) {
        guard runningTurn?.term == term else { return } // stopped: nobody waits for it
        runningTurn = nil
        report(.rolloutTurn(term: term, failure: failure))
    }

    func tasksEnded(term: UInt32, failure: String?) {
        guard runningTasks?.term == term else { return } // stopped: nobody waits for it
        runningTasks = nil
        report(.tasks(term: term, failure: failure))
    }

    /// Tells the core; kept for the next tick if what it leads to cannot be stored.
    private func report(_ end: CommandEnd) {
        guard !tell(end) else { return }
        logger.critical("cannot persist after \(end.what) ended; told again at each tick until it can be",
                        metadata: ["term": "\(end.term)"])
        unreportedEnds.append(end)
    }

    private func reportEndsAgain() {
        guard !unreportedEnds.isEmpty else { return }
        unreportedEnds = unreportedEnds.filter { end in
            guard tell(end) else { return true }
            logger.notice("\(end.what) ended: told once it could be stored", metadata: ["term": "\(end.term)"])
            return false
        }
    }

    /// True once the core has taken it in (or had no more use for it: a lease or turn long gone).
    private func tell(_ end: CommandEnd) -> Bool {
        do {
            switch end {
            case .tasks(let term, let failure): try step { $0.tasksEnded(term: term, failure: failure, now: clock.now()) }
            case .rolloutTurn(let term, let failure): try step { $0.rolloutTurnEnded(term: term, failure: failure, now: clock.now()) }
            }
            return true
        } catch {
            return false
        }
    }

    /// Gives the core one input and carries out its effects, the durable ones first: nothing is
    /// applied, told or sent before it is on disk. If a write fails, the core is put back as it
    /// was before the input (a value, so that is a copy), so memory never runs ahead of disk:
    /// the input is as if lost, and the caller hears `StorageFailure`.
    private func step(_ input: (inout MembershipNode) -> [MembershipEffect]) throws(StorageFailure) {
        let before = core
        let effects = input(&core)
        do {
            try persist(effects)
        } catch {
            core = before
            if !storageFailing { logger.error("cannot store protocol state; the input is dropped", metadata: ["error": "\(error)"]) }
            storageFailing = true
            throw StorageFailure(error)
        }
        if storageFailing {
            storageFailing = false
            logger.notice("protocol state is stored again")
        }
        carryOut(effects)
    }

    /// Writes an input's durable effects: the incarnation, decided slots in order, and the last
    /// acceptor state (each one replaces the one before). The acceptor goes last: if an earlier
    /// write fails it is not written, so the acceptor on disk stays the one the restored core
    /// holds. Slots and an incarnation written before a failure are ahead of memory, which is
    /// safe: a decided slot is learned again with the same value (`DecisionStore` keeps the
    /// first), and an incarnation that was never sent may be used again.
    private func persist(_ effects: [MembershipEffect]) throws {
        var acceptor: AcceptorState?
        for effect in effects {
            switch effect {
            case .persistIncarnation(let incarnation): try persistIncarnation(incarnation)
            case .decision(.persistDecision(let decided)): try decisionStore.append(decided)
            case .decision(.persistAcceptor(let state)): acceptor = state
            default: break
            }
        }
        if let acceptor { try decisionStore.store(acceptor) }
    }

    /// Everything but the writes, in the core's order; the datagrams go out as one batch.
    private func carryOut(_ effects: [MembershipEffect]) {
        var outgoing: [OutgoingDatagram] = []
        for effect in effects {
            switch effect {
            case .persistIncarnation:
                break
            case .send(let bytes, let address):
                outgoing.append(OutgoingDatagram(bytes: bytes, address: address))
            case .event(let event):
                log(event)
                journal.record(event.kind.name, member: MemberResponse(event.member))
            case .clusterEvent(let event):
                let slot = event.subject.map { AgentEvent.Slot($0, holderName: core.displayName(of: $0.holder)) }
                journal.record(event.name, cluster: ClusterResponse(core.clusterSnapshot), slot: slot)
            case .decision(let decision):
                carryOut(decision)
            }
        }
        if let armed = armedWakeup, core.nextWakeup < armed {
            armedWakeup = nil
            alarm.ring()
        }
        if !outgoing.isEmpty { sending.yield(outgoing) }
    }

    private func carryOut(_ effect: DecisionEffect) {
        switch effect {
        case .persistAcceptor, .persistDecision:
            break // written by `persist` before anything else
        case .decided(let slot, let value, let applied):
            logger.info("decided", metadata: ["slot": "\(slot)", "decision": "\(value.name)", "applied": "\(applied)"])
        case .commandFinished(let requestID, let outcome):
            waitingCommands.removeValue(forKey: requestID)?.resume(returning: outcome)
        case .startTasks(let assignment):
            startTasks(assignment)
        case .stopTasks(let term):
            guard runningTasks?.term == term else { return }
            logger.warning("upgrade tasks stopped: the lease ended", metadata: ["term": "\(term)"])
            stopRunningTasks()
        case .rolloutTurn(let turn):
            runRolloutTurn(turn)
        }
    }

    /// A certificate near expiry is a warning (SPEC §2), every other member event is news.
    private func log(_ event: MembershipEvent) {
        let member = event.member
        guard event.kind != .certificateExpiring else {
            let now = clock.unixSeconds()
            logger.warning("certificate expiring", metadata: [
                "member": "\(member.name)", "expires": "\(CertificateExpiry.iso8601(member.certificateExpiresAt))",
                "detail": "\(CertificateExpiry.describe(member, unixSeconds: now))",
            ])
            return
        }
        logger.info("\(event.kind.rawValue)", metadata: [
            "member": "\(member.name)", "address": "\(member.address)",
            "status": "\(member.status.rawValue)", "incarnation": "\(member.incarnation)",
        ])
    }

    /// An agent started under a live member's name is refused by the cluster: said once in the
    /// log, where whoever started it looks first (its /v1/health/lb says `duplicate-name`).
    private func noteNameConflict() {
        let conflict = core.localNameConflict
        guard conflict != loggedNameConflict else { return }
        if let conflict {
            logger.error("name refused", metadata: ["detail": "\(conflict)"])
        } else {
            logger.notice("name no longer refused")
        }
        loggedNameConflict = conflict
    }

    // MARK: AgentStatusSource

    public func localMember() -> MemberSnapshot { core.localMember }
    public func memberSnapshots() -> [MemberSnapshot] { core.memberSnapshots + core.departedVoterSnapshots }
    public func hasJoined() -> Bool { core.hasJoined }
    public func applicationHealthFailure() -> String? { healthFailure }
    public func rebootSlotVerdict(clientID: String, group: String) -> DisruptionBudget.Verdict {
        core.rebootSlotVerdict(clientID: clientID, group: group)
    }
    public func names(of members: [NodeID]) -> [String] { members.map(core.displayName) }
    public func counters() -> CoreCounters { core.counters }
    public func clusterSnapshot() -> ClusterSnapshot { core.clusterSnapshot }
    public func unixMilliseconds(at instant: Instant) -> UInt64 { clock.unixMilliseconds(at: instant) }
    public func sealingKeyring() -> SealingKeyring { core.sealingKeyring }
    public func decisionLog(from: UInt64, limit: Int) -> [DecidedSlot] {
        Array(core.decisions.log.dropFirst(Int(min(from, UInt64(Int.max)))).prefix(limit))
    }
}

struct OutgoingDatagram: Sendable {
    let bytes: [UInt8]
    let address: PeerAddress
}
