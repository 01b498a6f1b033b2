import ChorusWire

/// Everything this node knows about one other member. Every field that came from the network
/// came in a statement whose signature verified.
struct Member: Sendable {
    let id: NodeID
    var certificate: Certificate
    private(set) var heartbeat: Heartbeat
    /// The origin-signed heartbeat as a record, relayed verbatim: one buffer, not three.
    private(set) var heartbeatRecord: Record
    /// `heartbeat.fieldsHash`, kept because digests need it for every member.
    private(set) var fieldsHash: UInt32
    var status: MemberStatus
    /// For suspect and dead: the incarnation accused; a heartbeat must exceed it to refute.
    var statusIncarnation: UInt64
    var statusChangedAt: Instant
    private var dispute: Dispute?
    /// The latest process epoch of this member that a datagram of its verified (protocol 3's
    /// exchange): a datagram from an earlier process is a replay.
    var processEpoch: UInt64 = 0

    /// The signed suspicion or death that set the status, relayed to the accused and in syncs.
    var accusation: SignedStatement? {
        get { dispute?.accusation }
        set { dispute = Dispute.make(accusation: newValue, suspicion: suspicion) }
    }

    var suspicion: Suspicion? {
        get { dispute?.suspicion }
        set { dispute = Dispute.make(accusation: accusation, suspicion: newValue) }
    }

    init(id: NodeID, certificate: Certificate, heartbeat: Heartbeat, statement: SignedStatement, status: MemberStatus,
         now: Instant) {
        self.init(id: id, certificate: certificate, heartbeat: heartbeat, record: statement.record, status: status,
                  now: now)
    }

    /// `record` is the heartbeat's signed statement as a record; passing one made once lets
    /// many views share its buffer.
    init(id: NodeID, certificate: Certificate, heartbeat: Heartbeat, record: Record, status: MemberStatus,
         now: Instant) {
        self.id = id
        self.certificate = certificate
        self.heartbeat = heartbeat
        heartbeatRecord = record
        fieldsHash = heartbeat.fieldsHash
        self.status = status
        statusIncarnation = heartbeat.incarnation
        statusChangedAt = now
    }

    mutating func setHeartbeat(_ heartbeat: Heartbeat, statement: SignedStatement) {
        self.heartbeat = heartbeat
        heartbeatRecord = statement.record
        fieldsHash = heartbeat.fieldsHash
    }

    var name: String { certificate.name }

    var isProbeable: Bool { status == .alive || status == .suspect }

    func snapshot() -> MemberSnapshot {
        MemberSnapshot(
            name: name, id: id, address: heartbeat.address, status: status, version: heartbeat.appVersion,
            incarnation: heartbeat.incarnation, serving: ServingState(wireValue: heartbeat.serving),
            protocolVersion: heartbeat.protocolVersion, voter: false, isLocal: false,
            certificateExpiresAt: certificate.expiresAt, statusChangedAt: statusChangedAt,
            health: ApplicationHealth(wireValue: heartbeat.appHealth))
    }

    /// What the decision engine knows of this member (`MemberFactsFeed`).
    var facts: MemberFacts {
        MemberFacts(status: status, version: heartbeat.appVersion, name: name,
                    inService: heartbeat.isInService)
    }

    var digestEntry: DigestEntry {
        DigestEntry(idPrefix: id.prefix64, incarnation: max(heartbeat.incarnation, statusIncarnation),
                    status: status.rank, fieldsHash: fieldsHash)
    }
}

/// What only a suspect or dead member has, boxed so that the common entry, an alive member,
/// stays small. Immutable, so copies of a member never share a change.
private final class Dispute: Sendable {
    let accusation: SignedStatement?
    let suspicion: Suspicion?

    private init(_ accusation: SignedStatement?, _ suspicion: Suspicion?) {
        self.accusation = accusation
        self.suspicion = suspicion
    }

    /// nil when there is nothing to hold.
    static func make(accusation: SignedStatement?, suspicion: Suspicion?) -> Dispute? {
        accusation == nil && suspicion == nil ? nil : Dispute(accusation, suspicion)
    }
}

extension MemberStatus {
    /// Order of precedence at equal incarnation (SWIM): alive < suspect < dead < left.
    var rank: UInt8 {
        switch self {
        case .alive: 0
        case .suspect: 1
        case .dead: 2
        case .left: 3
        }
    }
}


extension Heartbeat {
    /// FNV-1a of every field but the sequence and the decisions digest: differs when something
    /// worth syncing changed. Decisions travel with their own proofs, not by heartbeat churn.
    var fieldsHash: UInt32 {
        var copy = self
        copy.sequence = 0
        copy.decisionsDigest = []
        var hash: UInt32 = 2_166_136_261
        for byte in copy.encoded {
            hash ^= UInt32(byte)
            hash &*= 16_777_619
        }
        return hash
    }

    /// Serving, with an application not known to be unhealthy (`MemberFacts.inService`).
    var isInService: Bool {
        ServingState(wireValue: serving) == .serving && ApplicationHealth(wireValue: appHealth) != .unhealthy
    }

    /// The replay order: (incarnation, sequence), lexicographic.
    func isNewer(than other: Heartbeat) -> Bool {
        (incarnation, sequence) > (other.incarnation, other.sequence)
    }
}
