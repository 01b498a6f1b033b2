import ChorusWire
import HashTreeCollections

/// Indexes over `members` kept in step with every write, so timers and random picks cost
/// O(what they touch) instead of a scan of the whole view on every event.
struct MemberIndex: Sendable {
    /// Alive or suspect: the members probed and gossiped to, and the N of the timeout formulas.
    var probeable = MemberSet()
    var alive = MemberSet()
    /// Dead or left, waiting to be reaped.
    var tombstones = MemberSet()
    /// Members with a running suspicion timer.
    var suspected = MemberSet()
    /// The earliest suspicion deadline or check: the cached minimum of `nextEventAt` over `suspected`.
    var earliestSuspicionEvent: Instant?
    /// No tombstone expires before this (it may be early, never late).
    var nextReapAt: Instant?
}

extension MembershipNode {
    /// Writes `member` and updates the indexes. Every write to `members` goes through here.
    mutating func store(_ member: Member) {
        let old = members.updateValue(member, forKey: member.id)
        if old == nil { memberIDs.insert(member.id) }
        reindex(member.id, old: old, new: member)
    }

    mutating func forget(_ memberID: NodeID) {
        guard let member = members.removeValue(forKey: memberID) else { return }
        if decisions.agreed.isVoter(memberID) { voterEntryLeaving(member) }
        memberIDs.remove(memberID)
        reindex(memberID, old: member, new: nil)
        forgotten[memberID] = member.heartbeat
        trust.forget(memberID)
        certificateCarriage.forget(memberID)
    }

    private mutating func reindex(_ id: NodeID, old: Member?, new: Member?) {
        func update(_ set: inout MemberSet, _ predicate: (Member) -> Bool) {
            let was = old.map(predicate) ?? false
            let now = new.map(predicate) ?? false
            if was != now { if now { set.insert(id) } else { set.remove(id) } }
        }
        update(&index.probeable, \.isProbeable)
        update(&index.alive) { $0.status == .alive }
        update(&index.tombstones, \.isTombstone)
        update(&index.suspected) { $0.suspicion != nil }
        if old?.status != new?.status || old?.heartbeat.appVersion != new?.heartbeat.appVersion
            || old?.heartbeat.isInService != new?.heartbeat.isInService {
            memberFacts[id] = new?.facts
        }
        if old == nil, new != nil, decisions.agreed.isVoter(id) { voterEntryArrived(id) }
        if old?.suspicion != nil || new?.suspicion != nil { refreshSuspicionDeadline() }
        if let new, new.isTombstone {
            certificateCarriage.mayHaveLost(id) // its next process starts with an empty trust store
            let expiry = new.statusChangedAt + settings.tombstoneDuration
            index.nextReapAt = min(index.nextReapAt ?? expiry, expiry)
        }
    }

    /// O(active suspicions): called only when one starts, changes or ends.
    mutating func refreshSuspicionDeadline() {
        index.earliestSuspicionEvent = index.suspected.compactMap { members[$0]?.suspicion?.nextEventAt }.min()
    }
}

extension Member {
    var isTombstone: Bool { status == .dead || status == .left }
}
