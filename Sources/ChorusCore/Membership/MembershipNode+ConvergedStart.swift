import ChorusWire

/// A member as every node of a long-running cluster knows it: its certificate and its signed
/// heartbeat, with the record and decoded fields made once, so that every core handed the same
/// value shares one copy of its buffers.
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

extension MembershipNode {
    /// Starts from the view a member of a long-running cluster has: every member of `roster`
    /// alive, nothing left to announce. The simulator's figures runs use it where a join storm
    /// of every node at once would dominate the run (docs/simulator.md, "Scale figures"); call
    /// it before `start`. Each certificate and heartbeat is verified as if it had arrived in a
    /// join answer, and one that fails is left out. No events: this is not news. A roster in id
    /// order costs O(1) per member to index; any order is correct.
    public mutating func assumeConverged(roster: [KnownMember], now: Instant) {
        members.reserveCapacity(roster.count)
        for known in roster {
            let origin = known.statement.origin
            guard origin != id, members[origin] == nil, known.certificate.nodeID == origin,
                  trust.admit(known.certificate, unixSeconds: unixSeconds),
                  known.statement.verify(clusterID: clusterID, scheme: trust.scheme) else { continue }
            store(Member(id: origin, certificate: known.certificate, heartbeat: known.heartbeat,
                         record: known.record, status: .alive, now: now))
        }
        hasJoined = true
    }
}
