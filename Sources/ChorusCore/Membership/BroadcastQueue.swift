import ChorusWire

/// Statements waiting to be piggybacked on outgoing datagrams (memberlist's TransmitLimitedQueue).
/// Each item is sent a bounded number of times, least-sent first, so news spreads epidemically
/// in O(log N) rounds while per-node load stays bounded. A newer item about the same subject
/// replaces the older one.
struct BroadcastQueue: Sendable {
    enum Key: Hashable, Sendable {
        /// Heartbeat or death of a member: the latest replaces anything earlier about it.
        case about(NodeID)
        /// One accuser's suspicion of a subject: kept side by side so confirmations spread.
        case suspicion(subject: NodeID, accuser: NodeID)

        var subject: NodeID {
            switch self {
            case .about(let id), .suspicion(let id, _): id
            }
        }
    }

    private struct Item: Sendable {
        var records: [Record]
        var transmits: Int
        var order: UInt64
    }

    private var items: [Key: Item] = [:]
    private var nextOrder: UInt64 = 0

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }

    /// Queues `records` (sent together, e.g. a certificate and the heartbeat it verifies).
    mutating func enqueue(_ key: Key, records: [Record]) {
        if case .about(let subject) = key {
            items = items.filter { $0.key.subject != subject }
        }
        nextOrder += 1
        items[key] = Item(records: records, transmits: 0, order: nextOrder)
    }

    /// Appends as many queued items as fit into `builder`, counting one transmission each and
    /// dropping items that reached `limit`.
    mutating func fill(_ builder: inout DatagramBuilder, limit: Int) {
        let candidates = items.sorted { lhs, rhs in
            lhs.value.transmits != rhs.value.transmits
                ? lhs.value.transmits < rhs.value.transmits : lhs.value.order > rhs.value.order
        }
        for (key, item) in candidates {
            let size = item.records.reduce(0) { $0 + $1.encodedSize }
            guard size <= builder.remaining else { continue }
            for record in item.records { builder.append(record) }
            if item.transmits + 1 >= limit {
                items[key] = nil
            } else {
                items[key]?.transmits += 1
            }
        }
    }
}
