import ChorusWire
import HashTreeCollections

/// A member as every node of a long-running cluster knows it: its certificate and its signed
/// heartbeat, with the record and decoded fields made once.
public struct KnownMember: Sendable {
    public let certificate: Certificate
    public let statement: SignedStatement
    let heartbeat: Heartbeat
    let record: Record

    /// nil when the statement is not a heartbeat whose body decodes.
    public init?(certificate: Certificate, statement: SignedStatement) {
        guard statement.kind == SignedStatement.Kind.heartbeat.rawValue,
              let heartbeat = try? Heartbeat.decode(statement.body) else { return nil }
        self.certificate = certificate
        self.statement = statement
        self.heartbeat = heartbeat
        record = statement.record
    }
}

/// The view every member of a long-running cluster has: every member alive, verified and
/// indexed once. Cores started from one roster (`MembershipNode.assumeConverged`) share its
/// tables, persistent structures, until each changes an entry: at 10,000 simulated nodes, ten
/// thousand private copies of a 10,000-member view would need some 60 GB.
public struct ConvergedRoster: Sendable {
    let trust: TrustStore
    let members: TreeDictionary<NodeID, Member>
    let ids: MemberSet
    let facts: MemberFactsView

    /// Each certificate and heartbeat is verified as if it had arrived in a join answer
    /// (certificate under `authorityKey` and unexpired at `unixSeconds`, heartbeat signed by its
    /// origin for this cluster); an entry that fails is left out, and so is a second entry for
    /// the same node.
    public init(_ roster: [KnownMember], authorityKey: [UInt8], scheme: any SignatureScheme, now: Instant,
                unixSeconds: UInt64) {
        let clusterID = Array(authorityKey.prefix(8))
        var trust = TrustStore(authorityKey: authorityKey, scheme: scheme)
        var members = TreeDictionary<NodeID, Member>()
        var facts = MemberFactsView()
        for known in roster {
            let origin = known.statement.origin
            guard members[origin] == nil, known.certificate.nodeID == origin,
                  trust.admit(known.certificate, unixSeconds: unixSeconds),
                  known.statement.verify(clusterID: clusterID, scheme: scheme) else { continue }
            members[origin] = Member(id: origin, certificate: known.certificate, heartbeat: known.heartbeat,
                                     record: known.record, status: .alive, now: now)
            facts[origin] = members[origin]?.facts
        }
        self.trust = trust
        self.members = members
        ids = MemberSet(sorted: members.keys.sorted())
        self.facts = facts
    }
}

extension MembershipNode {
    /// Starts from the view a member of a long-running cluster has: every member of `roster`
    /// alive, nothing left to announce. The simulator's figures runs use it where a join storm
    /// of every node at once would dominate the run (docs/simulator.md, "Scale figures"); call
    /// it before `start`. No events: this is not news. A roster made under another cluster
    /// authority is ignored. O(log N): the tables are the roster's, shared.
    public mutating func assumeConverged(_ roster: ConvergedRoster) {
        guard roster.trust.authorityKey == trust.authorityKey, members.isEmpty else { return }
        members = roster.members
        members.removeValue(forKey: id)
        memberIDs = roster.ids
        memberIDs.remove(id)
        index.probeable = memberIDs
        index.alive = memberIDs
        trust = roster.trust
        _ = trust.admit(certificate, unixSeconds: unixSeconds)
        memberFacts.replace(with: roster.facts)
        if memberFacts[id] != ownFacts { memberFacts[id] = ownFacts }
        hasJoined = true
        certificateCarriage.settle() // every member holds the roster's certificates
    }
}
