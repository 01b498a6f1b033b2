import ChorusCore
import ChorusCrypto
import ChorusSimulator
import ChorusWire

/// Decision engines wired to each other directly (no membership, no datagrams): a queue of
/// record batches delivered one hop per 10 ms step, per-pair cuts, crashes that keep only what
/// was persisted.
struct DecisionHarness {
    let identities: [SimulatedIdentity]
    let ids: [NodeID]
    let clusterID: [UInt8]
    var settings = DecisionSettings()
    var engines: [DecisionEngine?]
    var durable: [DurableDecisions]
    var versions: [String]
    var now = Instant.zero
    /// Members every view sees out of service (drained, or their application unhealthy).
    var outOfService: Set<Int> = []
    /// (from, to) pairs whose messages are dropped.
    var cuts: Set<[Int]> = []
    var queue: [(from: Int, to: Int, records: [Record])] = []
    var outcomes: [UInt64: CommandOutcome] = [:]
    /// Every startTasks, stopTasks and rolloutTurn, with the node and the time.
    var taskLog: [(node: Int, at: Instant, effect: DecisionEffect)] = []
    /// Every batch of records sent, with the time it left.
    var sent: [(from: Int, to: Int, at: Instant, records: [Record])] = []

    init(count: Int, seed: UInt64 = 1, settings: DecisionSettings = DecisionSettings()) {
        let factory = IdentityFactory(seed: seed)
        identities = (0..<count).map(factory.identity)
        ids = identities.map { NodeID(bytes: $0.signer.publicKey)! }
        clusterID = Array(factory.authority.publicKey.prefix(8))
        self.settings = settings
        engines = Array(repeating: nil, count: count)
        durable = Array(repeating: DurableDecisions(), count: count)
        versions = Array(repeating: "1.0.0", count: count)
        for index in 0..<count { boot(index) }
    }

    mutating func boot(_ index: Int) {
        engines[index] = DecisionEngine(
            id: ids[index], signer: identities[index].signer, clusterID: clusterID, scheme: Ed25519Scheme(),
            settings: settings, foundNotBefore: index == 0 ? now : nil, appVersion: versions[index], restored: durable[index],
            randomSeed: UInt64(index) &+ UInt64(durable[index].log.count) << 32, now: now)
    }

    /// kill -9: the engine and everything it did not persist are gone.
    mutating func crash(_ index: Int) {
        engines[index] = nil
        queue.removeAll { $0.to == index }
    }

    mutating func partition(_ side: [Int]) {
        for a in side { for b in ids.indices where !side.contains(b) { cuts.insert([a, b]); cuts.insert([b, a]) } }
    }

    mutating func heal() { cuts.removeAll() }

    func index(of id: NodeID) -> Int { ids.firstIndex(of: id)! }

    /// What `observer` knows of every member: alive unless crashed or cut off from it.
    func view(of observer: Int) -> MemberFactsView {
        var view = MemberFactsView()
        for member in ids.indices {
            let reachable = engines[member] != nil && !cuts.contains([observer, member])
            view[ids[member]] = MemberFacts(status: reachable ? .alive : .dead, version: versions[member],
                                            inService: !outOfService.contains(member))
        }
        return view
    }

    mutating func submit(_ command: OperatorCommand, at index: Int, requestID: UInt64) {
        let effects = engines[index]!.submit(command, requestID: requestID, now: now, members: view(of: index))
        handle(effects, at: index)
    }

    mutating func rolloutTurnEnded(at index: Int, term: UInt32, failure: String?) {
        handle(engines[index]!.rolloutTurnEnded(term: term, failure: failure, now: now), at: index)
    }

    /// The rollout turns announced to each node, in order (nil: a turn's end).
    var announcedTurns: [(node: Int, turn: RolloutTurn?)] {
        taskLog.compactMap { entry in
            if case .rolloutTurn(let turn) = entry.effect { return (entry.node, turn) }
            return nil
        }
    }

    mutating func tasksEnded(at index: Int, term: UInt32, failure: String?) {
        handle(engines[index]!.tasksEnded(term: term, failure: failure, now: now), at: index)
    }

    /// Advances time in 10 ms steps: deliver everything queued, tell each engine how far its
    /// peers are (the heartbeat digest), tick each engine.
    mutating func run(for duration: Duration) {
        let end = now + duration
        while now < end {
            now = now + .milliseconds(10)
            deliverQueued()
            for index in engines.indices where engines[index] != nil {
                for peer in engines.indices where peer != index && !cuts.contains([peer, index]) {
                    guard let count = engines[peer]?.nextSlot else { continue }
                    handle(engines[index]!.peerHasDecided(count, peer: ids[peer], now: now), at: index)
                }
                handle(engines[index]!.tick(now: now, members: view(of: index)), at: index)
            }
        }
    }

    /// Delivers what was queued before this step; answers wait for the next one (one hop per step).
    private mutating func deliverQueued() {
        let batch = queue
        queue.removeAll()
        for (from, to, records) in batch {
            guard engines[to] != nil, !cuts.contains([from, to]) else { continue }
            for record in records {
                if record.type == RecordType.votes.rawValue, let votes = try? VoteBundle.decode(record.value) {
                    handle(engines[to]!.receive(votes: votes, from: ids[from], now: now), at: to)
                } else if let message = try? QuorumMessage.decode(record) {
                    handle(engines[to]!.receive(message, from: ids[from], now: now), at: to)
                }
            }
        }
    }

    mutating func handle(_ outputs: [DecisionOutput], at index: Int) {
        for output in outputs {
            switch output {
            case .send(let records, let peer):
                queue.append((index, self.index(of: peer), records))
                sent.append((index, self.index(of: peer), now, records))
            case .effect(let effect): handle(effect, at: index)
            }
        }
    }

    private mutating func handle(_ effect: DecisionEffect, at index: Int) {
        switch effect {
        case .persistAcceptor(let state): durable[index].acceptor = state
        case .persistDecision(let decided): durable[index].log.append(decided)
        case .commandFinished(let requestID, let outcome): outcomes[requestID] = outcome
        case .startTasks, .stopTasks, .rolloutTurn: taskLog.append((index, now, effect))
        case .decided: break
        }
    }

    /// Each running engine's log values, for agreement checks.
    var logs: [[DecisionValue]] { engines.compactMap { $0?.log.map(\.value) } }

    func state(at index: Int) -> UpgradeState {
        UpgradeStatus.derive(engines[index]!.agreed, members: view(of: index)).state
    }

    /// No two engines hold different values for one slot (SPEC §11.1).
    var logsAgree: Bool {
        let all = engines.compactMap { $0?.log }
        let longest = all.max { $0.count < $1.count } ?? []
        return all.allSatisfy { log in zip(log, longest).allSatisfy { $0.value == $1.value } }
    }
}
