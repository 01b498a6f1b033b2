import ChorusWire
import HashTreeCollections

/// Keeps every voter nameable after its member entry goes (`VoterNames`): messages, the member
/// list and removal by name all need it.
extension MembershipNode {
    /// Every voter's name this node knows: from member entries, from its own certificate, and
    /// from `voterNames` for the rest. What the shell writes to the data directory.
    public var voterNameBook: VoterNames {
        var book = voterNames.byID
        for voter in decisions.agreed.voters {
            if voter == id { book[voter] = certificate.name } else if let member = members[voter] { book[voter] = member.name }
        }
        return VoterNames(book)
    }

    /// Voters this node holds no member entry for (reaped, or not heard of since it started),
    /// listed beside the members so that they can be seen and removed by name. Dead as far as
    /// this node can tell; `isKnown` false.
    public var departedVoterSnapshots: [MemberSnapshot] {
        decisions.agreed.voters.filter { $0 != id && members[$0] == nil }.map { voter in
            MemberSnapshot(name: voterNames[voter] ?? voter.short, id: voter, address: .unknown, status: .dead,
                           version: "", incarnation: 0, serving: .leaving, protocolVersion: 0, voter: true,
                           isLocal: false, isKnown: false)
        }
    }

    /// After a decision that changed the voters.
    mutating func refreshVoterNames() {
        voterNames.keepOnly(where: decisions.agreed.isVoter)
        decisions.voterNames = voterNames
    }

    mutating func voterEntryArrived(_ voter: NodeID) {
        voterNames.noteEntry(of: voter)
        decisions.voterNames = voterNames
    }

    mutating func voterEntryLeaving(_ member: Member) {
        voterNames.remember(member.name, for: member.id)
        decisions.voterNames = voterNames
    }
}
