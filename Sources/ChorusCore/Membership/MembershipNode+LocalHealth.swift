import ChorusWire
import HashTreeCollections

/// What this node remembers of its own lateness and of the members that just came: Lifeguard's
/// local health applied to a host that runs late without stalling (a CPU shared with a join
/// storm, an inbox longer than it can read), and a newcomer's grace.
struct LateRunning: Sendable {
    /// When lateness last raised local health: at most once per probe interval, so a host that
    /// is late on every input climbs one step per round, as a failed probe would make it.
    var lastRaisedAt: Instant?
    /// The time of the input being handled, for what is noted without one (`emit`).
    var now = Instant.zero
    /// Members whose arrival (`member-join`) this node announced, and when: for
    /// `newcomerGrace` its own probes do not accuse them.
    var newcomers: [NodeID: Instant] = [:]
    /// When `newcomers` is next swept of entries past their grace.
    var nextSweepAt = Instant.zero
}

extension MembershipNode {
    /// An input that came later than the wakeup this node asked for, by more than
    /// `lateTolerance` but less than a stall: this node was not running when it meant to be
    /// (others had the CPU, or its inbox held it), so what it did not hear in that time says
    /// nothing about its peers. Local health goes up (probe windows stretch), and every
    /// suspicion it holds is put off by the lateness, so the suspect has the time the node
    /// itself lost to refute; one whose deadline falls due in this very input waits
    /// `lateTolerance` more, so datagrams queued behind this input (a refutation) are read
    /// first. The put-off is capped per suspicion at its own maximum timeout: a node late on
    /// every input still declares a real death, at most that much later.
    mutating func noteLateRunning(by lateness: Duration, now: Instant) {
        lateRunning.now = now
        guard lateness > settings.lateTolerance, lateness <= settings.stallThreshold else { return }
        if lateRunning.lastRaisedAt.map({ now - $0 >= settings.probeInterval }) ?? true {
            lateRunning.lastRaisedAt = now
            raiseLocalHealth()
        }
        guard !index.suspected.isEmpty else { return }
        for id in index.suspected.sorted() {
            guard var suspicion = members[id]?.suspicion else { continue }
            let wanted = max(lateness, now + settings.lateTolerance - suspicion.deadline)
            guard suspicion.extendForLateRunning(by: wanted) else { continue }
            members[id]?.suspicion = suspicion
        }
        refreshSuspicionDeadline()
    }

    /// `newcomerGrace` starts for a member this node just announced as joined (new, or back
    /// after death or leave).
    mutating func noteNewcomer(_ id: NodeID) {
        let now = lateRunning.now
        lateRunning.newcomers[id] = now
        if now >= lateRunning.nextSweepAt {
            let grace = settings.newcomerGrace
            lateRunning.newcomers = lateRunning.newcomers.filter { now - $0.value < grace }
            lateRunning.nextSweepAt = now + grace
        }
    }

    /// Whether `id` joined (in this node's eyes) less than `newcomerGrace` ago: a member that
    /// has just started, or just been admitted, is busy verifying the cluster it joins (one
    /// certificate and signature per member, at N = 50 while 49 others start beside it) and may
    /// not answer its first probes in time; its silence then is not a death.
    func isNewcomer(_ id: NodeID, now: Instant) -> Bool {
        guard let since = lateRunning.newcomers[id] else { return false }
        return now - since < settings.newcomerGrace
    }
}
