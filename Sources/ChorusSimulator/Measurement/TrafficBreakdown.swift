import ChorusWire

/// What the sent bytes are made of: every datagram a host sends is decoded again and its bytes
/// are counted by record kind (statements by their kind), the rest as framing. Only switched on
/// while measuring, since it decodes every datagram once more.
public struct TrafficBreakdown: Sendable {
    public enum Kind: String, Sendable, CaseIterable, Comparable {
        case framing, certificate, certificateRequest, heartbeat, suspect, dead, ping, ack, nack, pingRequest, joinRequest, digest,
             quorum, vote, other

        public static func < (lhs: Kind, rhs: Kind) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    let clusterID: [UInt8]
    public private(set) var bytes: [Kind: UInt64] = [:]
    public private(set) var records: [Kind: UInt64] = [:]

    init(clusterID: [UInt8]) { self.clusterID = clusterID }

    mutating func add(_ datagram: [UInt8]) {
        guard let decoded = try? Datagram.decode(datagram, expectedCluster: clusterID, maxSize: datagram.count) else {
            bytes[.other, default: 0] += UInt64(datagram.count)
            return
        }
        var framing = datagram.count
        for record in decoded.records {
            let kind = Self.kind(of: record)
            guard kind != .framing else { continue }
            bytes[kind, default: 0] += UInt64(record.encodedSize)
            records[kind, default: 0] += 1
            framing -= record.encodedSize
        }
        bytes[.framing, default: 0] += UInt64(framing)
        records[.framing, default: 0] += 1
    }

    private static func kind(of record: Record) -> Kind {
        switch RecordType(rawValue: record.type) {
        case .certificate: .certificate
        case .certificateRequest: .certificateRequest
        case .ping: .ping
        case .ack: .ack
        case .nack: .nack
        case .pingRequest: .pingRequest
        case .joinRequest, .padding: .joinRequest // joins alone are padded
        case .digest: .digest
        case .prepare, .promise, .accept, .refuse, .catchUp: .quorum
        case .votes: .vote
        case .statement:
            switch record.value.first.flatMap(SignedStatement.Kind.init(rawValue:)) {
            case .heartbeat: .heartbeat
            case .suspect: .suspect
            case .dead: .dead
            case .vote, nil: .other
            }
        case .exchange: .framing // whom it is for and from which process: part of the envelope
        case .keyringGrant, nil: .other
        }
    }

    /// "heartbeat 41% (1,234 B/node/s, 3.1 rec/node/s), ..." over `nodeSeconds`, largest first.
    public func summary(nodeSeconds: Double) -> String {
        let total = Double(bytes.values.reduce(0, +))
        guard total > 0 else { return "nothing sent" }
        return bytes.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { kind, count in
            let share = Int((Double(count) / total * 100).rounded())
            let perNode = Int((Double(count) / nodeSeconds).rounded())
            let perNodeRecords = Double(records[kind] ?? 0) / nodeSeconds
            return "\(kind.rawValue) \(share)% (\(perNode) B, \((perNodeRecords * 100).rounded() / 100) rec)"
        }.joined(separator: ", ")
    }
}
