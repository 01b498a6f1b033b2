import ChorusWire
import HashTreeCollections

/// One live member per name (issue 15): a second agent started with the name of a live one
/// (a copied configuration, a host cloned with its certificate's name, an insider) is refused,
/// not admitted beside it as another voter. The name's holder is whoever the cluster knew
/// first; once it is dead, left or removed, a newcomer of that name (a rebuilt host with a new
/// key) is taken as before. A newcomer that signs the holder's own address is that host come
/// back before its old process was declared dead (two processes cannot hold one UDP port): it
/// is taken at once, or a rebuilt founder would found a cluster of its own meanwhile.
extension MembershipNode {
    /// Whether a member new to this node may be stored under `name`. A voter holds its own
    /// name; a node not admitted yet takes in its namesake, which may well be the holder.
    func admitsName(_ name: String, of newcomer: NodeID, at address: PeerAddress) -> Bool {
        if name == certificate.name { return !decisions.isVoter }
        guard let holder = liveNamesake(named: name, except: newcomer) else { return true }
        return members[holder]?.heartbeat.address == address
    }

    /// The live member whose name keeps `newcomer` out (this node itself when it is a voter of
    /// that name), or nil when its name is not why it is not a member.
    func nameHolder(refusing newcomer: NodeID) -> NodeID? {
        guard members[newcomer] == nil, let name = trust.certificate(of: newcomer, unixSeconds: unixSeconds)?.name else { return nil }
        if name == certificate.name { return decisions.isVoter ? id : nil }
        return liveNamesake(named: name, except: newcomer)
    }

    /// A joiner refused for its name learns why: our certificate (it may not hold it yet; the
    /// join was its first word to us), the holder's and the holder's heartbeat, which set its
    /// `localNameConflict`. Its address is unproven, so all of it within the reply allowance
    /// or nothing (issue 15: the refused agent said only "not joined").
    mutating func tellRefusedNamesake(_ joiner: NodeID, at source: PeerAddress, holder: NodeID) {
        var builder = newDatagram(to: joiner, maxSize: min(datagramRoom, unprovenRoom(for: source) ?? .max))
        let records = holder == id ? stateRecords(of: id) : [ownCertificateRecord] + stateRecords(of: holder)
        for record in records where !builder.append(record) {
            counters.repliesWithheld += 1
            return
        }
        send(builder, to: source)
    }

    /// This node, not a voter, shares its name with a live member: the cluster refuses it.
    public var localNameConflict: String? {
        guard !decisions.isVoter, let holder = liveNamesakeOfSelf else { return nil }
        return "live member \(holder.short) already holds the name '\(certificate.name)': this node is refused until it is dead or removed"
    }

    private var liveNamesakeOfSelf: NodeID? { liveNamesake(named: certificate.name, except: id) }

    /// O(members), only when a member is first seen or the shell asks.
    private func liveNamesake(named name: String, except excluded: NodeID) -> NodeID? {
        index.probeable.first { $0 != excluded && members[$0]?.name == name }
    }
}
