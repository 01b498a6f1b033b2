import ChorusWire
import HashTreeCollections

/// One agent's part in the cluster's decision log: single-decree Paxos per slot, every agent
/// a proposer, every voter an acceptor, slots decided strictly in order (docs/decisions.md).
///
/// Pure like `MembershipNode`: no IO, no clock. Inputs take the current time; effects come
/// back in order, and a `persist…` effect must be durable before any later effect is done.
public struct DecisionEngine: Sendable {
    public let id: NodeID
    let signer: any MessageSigner
    let clusterID: [UInt8]
    let scheme: any SignatureScheme
    let settings: DecisionSettings
    /// When this node may found the cluster if it still has no log; nil: it never founds.
    let foundNotBefore: Instant?
    /// A peer reported decided slots: a cluster exists, so this node must not found another.
    var heardOfFoundedCluster = false
    /// The version a cluster this node founds starts at: the application's, as last read.
    var appVersion: String

    public internal(set) var log: [DecidedSlot] = []
    public internal(set) var agreed = AgreedState()
    var acceptor: AcceptorState
    var proposal: Proposal?
    var commands: [PendingCommand] = []
    /// Verified votes for slots not yet decided here, by slot and voter.
    var pendingVotes: [UInt64: [NodeID: SignedStatement]] = [:]
    /// How many of those votes name each ballot, by slot.
    var voteTally: [UInt64: [Ballot: Int]] = [:]
    /// When this acceptor accepted the value it still holds undecided.
    var acceptedAt: Instant?
    var lease = LeaseClock()
    /// This node's rollout turn as last told to the shell, and how the shell said it ended.
    var rolloutTurn = RolloutTurnClock()
    var firstSeenUnadmitted: [NodeID: Instant] = [:]
    var lastCatchUpRequest: Instant?
    /// What the membership layer last said about every member, this node included.
    var members = MemberFactsView() { didSet { admissionAnswer = nil } }
    /// Names for voters that have no member entry (kept by membership, which sees certificates).
    var voterNames = VoterNames()
    /// The admission check's last answer, good until `until` (the next grace period to end)
    /// unless the view or the log changes first: the check runs per handled datagram, and
    /// scanning all N members each time was most of a 1,000-node simulation's time.
    var admissionAnswer: (value: DecisionValue?, until: Instant)?
    /// The time of the latest input: timers at or before it had their chance and are not
    /// reported as wakeups (an overdue wakeup would look like a stall to membership).
    var lastInputAt = Instant.zero
    var random: SeededRandom
    var effects: [DecisionOutput] = []

    public init(id: NodeID, signer: any MessageSigner, clusterID: [UInt8], scheme: any SignatureScheme,
                settings: DecisionSettings, foundNotBefore: Instant?, appVersion: String, restored: DurableDecisions,
                randomSeed: UInt64, now: Instant) {
        self.id = id
        self.signer = signer
        self.clusterID = clusterID
        self.scheme = scheme
        self.settings = settings
        self.foundNotBefore = foundNotBefore
        self.appVersion = appVersion
        random = SeededRandom(seed: randomSeed ^ 0x5eed_dec1_5100)
        for decided in restored.log where decided.slot == UInt64(log.count) {
            agreed.apply(decided.value, slot: decided.slot)
            log.append(decided)
        }
        let next = UInt64(log.count)
        if let saved = restored.acceptor, saved.slot == next {
            acceptor = saved
        } else {
            acceptor = AcceptorState(slot: next, highestRound: restored.acceptor?.highestRound ?? 0)
        }
        // The time a lease was learned is not durable: after a restart, count it from now, so a
        // restarted acceptor never helps take over a lease that may still be valid.
        if agreed.lease != nil { lease.learnedAt = now }
    }

    public var nextSlot: UInt64 { UInt64(log.count) }
    public var isVoter: Bool { agreed.isVoter(id) }

    // MARK: Inputs

    /// Takes an operator command. It is answered by a `commandFinished` effect with `requestID`:
    /// at once when the state forbids it, else when decided or when `commandTimeout` passes.
    /// `members` is the current view (this node included): a command is judged on fresh facts.
    public mutating func submit(_ command: OperatorCommand, requestID: UInt64, now: Instant,
                                members: MemberFactsView) -> [DecisionOutput] {
        self.members = members
        lastInputAt = now
        commands.append(PendingCommand(requestID: requestID, command: command, deadline: now + settings.commandTimeout))
        advance(now: now)
        return takeEffects()
    }

    /// Handles a verified datagram's quorum message from `sender`.
    public mutating func receive(_ message: QuorumMessage, from sender: NodeID, now: Instant) -> [DecisionOutput] {
        lastInputAt = now
        switch message {
        case .prepare(let slot, let ballot): handlePrepare(slot: slot, ballot: ballot, from: sender, now: now)
        case .accept(let slot, let ballot, let value): handleAccept(slot: slot, ballot: ballot, value: value, from: sender, now: now)
        case .promise(let slot, let ballot, let accepted): handlePromise(slot: slot, ballot: ballot, accepted: accepted, from: sender, now: now)
        case .refuse(let slot, let promised, let theirNext): handleRefuse(slot: slot, promised: promised, theirNext: theirNext, from: sender, now: now)
        case .catchUp(let fromSlot): sendProof(fromSlot: fromSlot, to: sender)
        }
        advance(now: now)
        return takeEffects()
    }

    /// Handles the votes of one `votes` record (an acceptor's answer or part of a proof). Each
    /// vote's signature is checked here.
    public mutating func receive(votes: [SignedStatement], from sender: NodeID, now: Instant) -> [DecisionOutput] {
        lastInputAt = now
        for vote in votes { handleVote(vote, from: sender, now: now) }
        advance(now: now)
        return takeEffects()
    }

    /// A peer's heartbeat says it has decided `decidedCount` slots: ask it for what we miss.
    public mutating func peerHasDecided(_ decidedCount: UInt64, peer: NodeID, now: Instant) -> [DecisionOutput] {
        lastInputAt = now
        if decidedCount > 0 { heardOfFoundedCluster = true }
        if decidedCount > nextSlot { requestCatchUp(from: peer, now: now) }
        return takeEffects()
    }

    /// Timers: round timeouts, command deadlines, stalled slots, leases, automatic decisions.
    /// `members` is the membership layer's current view, this node included.
    public mutating func tick(now: Instant, members: MemberFactsView) -> [DecisionOutput] {
        lastInputAt = now
        self.members = members
        expireCommands(now: now)
        checkRound(now: now)
        checkLease(now: now)
        advance(now: now)
        return takeEffects()
    }

    /// The shell's tasks command of lease `term` ended.
    public mutating func tasksEnded(term: UInt32, failure: String?, now: Instant) -> [DecisionOutput] {
        lastInputAt = now
        if lease.runningTerm == term {
            lease.outcome = TaskOutcome(term: term, failure: failure)
        }
        advance(now: now)
        return takeEffects()
    }

    /// The shell's rollout turn of slot `term` ended: done, or failed with the reason.
    public mutating func rolloutTurnEnded(term: UInt32, failure: String?, now: Instant) -> [DecisionOutput] {
        lastInputAt = now
        if rolloutTurn.announced?.term == term { rolloutTurn.outcome = (term, failure) }
        advance(now: now)
        return takeEffects()
    }

    /// The derived upgrade status under the current view.
    public var upgradeStatus: UpgradeStatus { UpgradeStatus.derive(agreed, members: members, voterNames: voterNames) }

    /// How messages name a member: by its certificate's name, by key id only where none was seen.
    func displayName(of member: NodeID) -> String { members[member]?.name ?? voterNames[member] ?? member.short }

    /// When `tick` has timed work to do, if it has any: a round or command deadline, the
    /// lease, a stalled slot. Admissions need no timer; they ride on membership's own ticks.
    public var nextWakeup: Instant? {
        var times: [Instant] = commands.map(\.deadline)
        if log.isEmpty, let foundNotBefore { times.append(foundNotBefore) }
        if let proposal {
            if case .waiting(let until) = proposal.stage { times.append(until) } else { times.append(proposal.roundDeadline) }
        }
        if let acceptedAt { times.append(acceptedAt + settings.recoveryDelay) }
        if let validUntil = lease.validUntil { times.append(validUntil) }
        if let learnedAt = lease.learnedAt {
            times.append(learnedAt + (lease.runningTerm != nil ? agreedLeaseDuration / 3 : agreedLeaseDuration))
        }
        return times.filter { $0 > lastInputAt }.min()
    }

    // MARK: Plumbing

    mutating func takeEffects() -> [DecisionOutput] {
        defer { effects.removeAll(keepingCapacity: true) }
        return effects
    }

    mutating func send(_ message: QuorumMessage, to peer: NodeID) {
        effects.append(.send([message.record], to: peer))
    }

    mutating func persistAcceptor() {
        effects.append(.effect(.persistAcceptor(acceptor)))
    }

    /// Voters other than this node, in id order.
    var otherVoters: [NodeID] { agreed.voters.filter { $0 != id } }

    func isAlive(_ member: NodeID) -> Bool {
        member == id || members[member]?.status == .alive
    }

    /// First in line for automatic decisions: the lowest-id live voter in this node's view.
    var isFirstInLine: Bool {
        agreed.voters.first(where: isAlive) == id
    }

    /// How long this voter leaves an automatic decision to those before it: one grace period
    /// per live voter ahead of it in id order. A single grace for all made every voter propose
    /// at once whenever the first was slower than the grace (a 1,000-node cluster forming),
    /// and duelling ballots from hundreds of proposers decided nothing; staggered, the next in
    /// line steps in after one grace, the one after it after two.
    var automaticWait: Duration {
        var ahead = 0
        for voter in agreed.voters {
            if voter == id { break }
            if isAlive(voter) { ahead += 1 }
        }
        return settings.automaticGrace * ahead
    }
}

struct PendingCommand: Sendable {
    var requestID: UInt64
    var command: OperatorCommand
    var deadline: Instant
}

struct TaskOutcome: Sendable {
    var term: UInt32
    var failure: String?
}

/// This node's local timing of the agreed task lease.
struct LeaseClock: Sendable {
    /// When this node learned the grant or latest renewal: others may take over only after
    /// the agreed lease duration from here, by their own clocks.
    var learnedAt: Instant?
    /// This node is the runner: its lease is valid until here (counted from before the
    /// acceptors voted, and shortened for clock drift).
    var validUntil: Instant?
    var runningTerm: UInt32?
    var outcome: TaskOutcome?
    /// When the tasks became runnable with no lease held (the approval), for the grace period.
    var freeSince: Instant?
    /// The first time this node sent accepts for its own grant or renewal, by slot.
    var firstAcceptSent: (slot: UInt64, value: DecisionValue, at: Instant)?
}
