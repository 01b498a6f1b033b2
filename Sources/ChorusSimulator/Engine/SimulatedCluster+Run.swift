import ChorusCore
import ChorusWire

extension SimulatedCluster {
    /// Advances virtual time by `duration`, handling datagrams and timers in time order.
    public mutating func run(for duration: Duration) {
        var observer = NoObserver()
        run(for: duration, observer: &observer)
    }

    /// Advances virtual time by `duration`; `observer` sees every step as it happens.
    public mutating func run<Observer: SimulationObserver>(for duration: Duration, observer: inout Observer) {
        let end = now + duration
        while let next = queue.nextTime, next <= end {
            let (at, event) = queue.pop()!
            now = max(now, at)
            handle(event, observer: &observer)
        }
        now = end
    }

    private mutating func handle<Observer: SimulationObserver>(_ event: Scheduled, observer: inout Observer) {
        switch event {
        case .delivery(let bytes, let from, let to):
            deliver(bytes, from: from, hostile: nil, to: to, observer: &observer)
        case .hostileDelivery(let bytes, let to, let boot, let input):
            // A host restarted since holds none of the memory the forgery was built against
            // (a replay to it is a late genuine datagram), so the bytes are not tried on it.
            guard hosts[to].boots == boot else { return }
            deliver(bytes, from: nil, hostile: input, to: to, observer: &observer)
        case .timer(let index, let generation):
            guard hosts[index].timerGeneration == generation else { return }
            hosts[index].timerAt = nil
            guard case .running = hosts[index].process else { return }
            fireTimer(index, cause: .timer, observer: &observer)
            if let core = hosts[index].core {
                precondition(core.nextWakeup > localNow(index),
                             "seed \(seed) step \(step): node-\(index + 1) asks to wake again at once after a tick")
            }
        case .resume(let index):
            guard case .paused(let core, let until) = hosts[index].process, until <= now else { return }
            hosts[index].process = .running(core)
            hosts[index].disruptedAt = now
            pausedHosts.remove(index)
            // A stalled process wakes to timers long overdue before it reads its socket.
            fireTimer(index, cause: .resume, observer: &observer)
            let buffered = hosts[index].socketBuffer
            hosts[index].socketBuffer.removeAll()
            for datagram in buffered {
                deliver(datagram.bytes, from: datagram.from, hostile: datagram.hostile, to: index, observer: &observer)
            }
        case .stall(let index, let until, let stall, let period):
            stallStarved(index, until: until, stall: stall, period: period)
        case .exit(let index):
            guard case .leaving = hosts[index].process else { return }
            stop(index)
        case .tasksEnd(let index, let serial):
            endTasks(index, serial: serial, observer: &observer)
        case .rolloutTurnEnd(let index, let serial):
            endRolloutTurn(index, serial: serial, observer: &observer)
        }
    }

    /// A run of the tasks command reached its end. A frozen host (paused) notices at its resume,
    /// after its overdue timers, which may have stopped the run first.
    private mutating func endTasks<Observer: SimulationObserver>(_ index: Int, serial: Int, observer: inout Observer) {
        guard let run = hosts[index].taskRun, run.serial == serial,
              !postponedWhilePaused(index, .tasksEnd(node: index, serial: serial)) else { return }
        hosts[index].taskRun = nil
        var failure: String?
        if failingTaskRuns > 0 {
            failingTaskRuns -= 1
            failure = "simulated failure of the tasks command"
        }
        taskLog.append(TaskLogEntry(at: now, node: index, term: run.term, kind: .finished(failure: failure)))
        let local = localNow(index)
        let effects = hosts[index].updateCore { $0.tasksEnded(term: run.term, failure: failure, now: local) }!
        finishStep(index, cause: .tasks, effects: effects, hostileChange: false, observer: &observer)
    }

    /// A paused host's process ends nothing until it resumes: `ending` moves to that moment.
    /// True when it was moved.
    mutating func postponedWhilePaused(_ index: Int, _ ending: Scheduled) -> Bool {
        guard case .paused(_, let until) = hosts[index].process else { return false }
        queue.push(ending, at: until)
        return true
    }

    private mutating func fireTimer<Observer: SimulationObserver>(_ index: Int, cause: StepRecord.Cause,
                                                                 observer: inout Observer) {
        let (local, unix) = (localNow(index), unixSeconds(index))
        guard let effects = hosts[index].updateCore({ $0.tick(now: local, unixSeconds: unix) }) else { return }
        finishStep(index, cause: cause, effects: effects, hostileChange: false, observer: &observer)
    }

    /// `hostile` is nil for a genuine datagram from host `from`; else `from` is nil.
    private mutating func deliver<Observer: SimulationObserver>(_ bytes: [UInt8], from: Int?, hostile: HostileInput?,
                                                               to index: Int, observer: inout Observer) {
        switch hosts[index].process {
        case .down:
            return
        case .paused:
            if hosts[index].socketBuffer.count < SimulatedHost.socketBufferCapacity {
                hosts[index].socketBuffer.append((bytes, from, hostile))
            }
            return
        case .running, .leaving:
            let source = from.map { hosts[$0].address } ?? hostile?.source ?? Self.hostileAddress
            let checked: Bool = switch hostile?.integrity {
            case nil, .unchecked?, .checkedWhereSuperseded?: false
            case .checked?: true
            case .checkedIfHandled?: tap?.hasHandled(bytes, host: index) ?? false
            }
            if hostile != nil, tap?.isSpoofed(source) == true { tap?.noteReceived(bytes.count, by: index, from: source) }
            let local = localNow(index)
            let (effects, changed) = hosts[index].updateCore { core in
                let before = checked ? core.memberSnapshots : []
                let effects = core.receive(bytes, from: source, now: local)
                return (effects, checked && core.memberSnapshots != before)
            }!
            if from != nil {
                hosts[index].lastReceived = bytes
                tap?.noteHandled(bytes, by: index)
            }
            finishStep(index, cause: .datagram(from: from), effects: effects,
                       hostileChange: changed, integrityChecked: checked, observer: &observer)
        }
    }

    /// Where forged datagrams claim to come from.
    static let hostileAddress = PeerAddress(ipv4: 192, 0, 2, 66, port: 7720)

    /// Carries out a step's effects, re-arms the host's timer and shows the step to the observer.
    mutating func finishStep<Observer: SimulationObserver>(_ index: Int, cause: StepRecord.Cause,
                                                          effects: [MembershipEffect], hostileChange: Bool,
                                                          integrityChecked: Bool = false, observer: inout Observer) {
        step += 1
        var events: [MembershipEvent] = []
        var clusterEvents: [EventName] = []
        var decided: [StepRecord.Decided] = []
        for effect in effects {
            switch effect {
            case .persistIncarnation(let incarnation):
                hosts[index].durable.incarnation = incarnation
            case .send(let bytes, let address):
                datagramsSent += 1
                bytesSent += UInt64(bytes.count)
                traffic?.add(bytes)
                guard let target = indexByAddress[address] else {
                    if tap?.isSpoofed(address) == true { tap?.noteSent(bytes.count, by: index, to: address) }
                    continue
                }
                if tap != nil { tapSend(bytes, from: index, to: target) }
                for arrival in network.arrivals(from: index, to: target, sentAt: now) {
                    queue.push(.delivery(bytes: bytes, from: index, to: target), at: arrival)
                }
            case .event(let event):
                events.append(event)
            case .clusterEvent(let event):
                clusterEvents.append(event.name)
            case .decision(.persistAcceptor(let state)):
                hosts[index].durable.decisions.acceptor = state
            case .decision(.persistDecision(let slot)):
                hosts[index].durable.decisions.log.append(slot)
            case .decision(.decided(let slot, let value, let applied)):
                decided.append(StepRecord.Decided(slot: slot, value: value, applied: applied))
            case .decision(.commandFinished(let requestID, let outcome)):
                commands[Int(requestID) - 1].outcome = outcome
                commands[Int(requestID) - 1].finishedAt = now
            case .decision(.startTasks(let assignment)):
                startTasks(assignment, on: index)
            case .decision(.stopTasks(let term)):
                guard let run = hosts[index].taskRun, run.term == term else { continue }
                hosts[index].taskRun = nil
                taskLog.append(TaskLogEntry(at: now, node: index, term: term, kind: .stopped))
            case .decision(.rolloutTurn(let turn)):
                startRolloutTurn(turn, on: index)
            }
        }
        rescheduleTimer(index)
        observer.observe(StepRecord(step: step, at: now, node: index, cause: cause, events: events,
                                    clusterEvents: clusterEvents, decided: decided,
                                    hostileInputChangedState: hostileChange, integrityChecked: integrityChecked), in: self)
    }

    /// The host's shell starts the tasks command for `assignment`; it ends `taskDuration` later.
    private mutating func startTasks(_ assignment: TaskAssignment, on index: Int) {
        if let old = hosts[index].taskRun {
            // The core moved on to a new term without stopping the old run: the shell kills it.
            taskLog.append(TaskLogEntry(at: now, node: index, term: old.term, kind: .stopped))
        }
        taskRuns += 1
        hosts[index].taskRun = ShellRun(term: assignment.term, serial: taskRuns)
        taskLog.append(TaskLogEntry(at: now, node: index, term: assignment.term,
                                    kind: .started(attempt: assignment.attempt, from: assignment.fromVersion,
                                                   to: assignment.toVersion)))
        queue.push(.tasksEnd(node: index, serial: taskRuns), at: now + taskDuration)
    }

    /// Queues the host's next wakeup unless the queued one is already right; stale entries are
    /// skipped when popped, so the queue never needs a search.
    mutating func rescheduleTimer(_ index: Int) {
        guard let core = hosts[index].core else { return }
        let at = max(now, hosts[index].clock.virtual(reaching: core.nextWakeup))
        guard hosts[index].timerAt != at else { return }
        hosts[index].timerGeneration += 1
        hosts[index].timerAt = at
        queue.push(.timer(node: index, generation: hosts[index].timerGeneration), at: at)
    }
}
