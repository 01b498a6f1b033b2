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
        let key: Key
        let records: [Record]
        var transmits: Int
    }

    /// An item's place in sending order: least-sent first, then newest first.
    private struct Slot: Sendable {
        let transmits: Int
        let order: UInt64
        let size: Int

        func precedes(_ other: Slot) -> Bool {
            transmits != other.transmits ? transmits < other.transmits : order > other.order
        }
    }

    /// Items by their enqueue order, which is unique and increasing.
    private var items: [UInt64: Item] = [:]
    private var orderOf: [Key: UInt64] = [:]
    /// The orders of every item about a subject, so `.about` can replace them all without a scan.
    private var ordersBySubject: [NodeID: [UInt64]] = [:]
    /// Every item's slot, kept in sending order so filling a datagram never sorts the queue.
    private var slots: [Slot] = []
    /// No item is smaller (the smallest ever queued): once less room is left, stop looking.
    private var smallestSize = Int.max
    private var nextOrder: UInt64 = 0

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }

    /// Queues `records` (sent together, e.g. a certificate and the heartbeat it verifies).
    mutating func enqueue(_ key: Key, records: [Record]) {
        if case .about(let subject) = key {
            for order in ordersBySubject[subject] ?? [] { remove(order) }
        } else if let order = orderOf[key] {
            remove(order)
        }
        nextOrder += 1
        let size = records.reduce(0) { $0 + $1.encodedSize }
        items[nextOrder] = Item(key: key, records: records, transmits: 0)
        orderOf[key] = nextOrder
        ordersBySubject[key.subject, default: []].append(nextOrder)
        insert(Slot(transmits: 0, order: nextOrder, size: size))
        smallestSize = min(smallestSize, size)
    }

    /// Appends as many queued items as fit into `builder`, in sending order, counting one
    /// transmission each and dropping items that reached `limit`.
    mutating func fill(_ builder: inout DatagramBuilder, limit: Int) {
        var sent: [Int] = []
        var position = 0
        while position < slots.count, builder.remaining >= smallestSize {
            let slot = slots[position]
            if slot.size <= builder.remaining, let item = items[slot.order] {
                for record in item.records { builder.append(record) }
                sent.append(position)
            }
            position += 1
        }
        let sentSlots = sent.map { slots[$0] }
        for position in sent.reversed() { slots.remove(at: position) }
        for slot in sentSlots {
            guard let transmits = items[slot.order]?.transmits else { continue }
            if transmits + 1 >= limit {
                remove(slot.order, slotAlreadyGone: true)
            } else {
                items[slot.order]?.transmits = transmits + 1
                insert(Slot(transmits: transmits + 1, order: slot.order, size: slot.size))
            }
        }
    }

    private mutating func remove(_ order: UInt64, slotAlreadyGone: Bool = false) {
        guard let item = items.removeValue(forKey: order) else { return }
        orderOf[item.key] = nil
        let subject = item.key.subject
        ordersBySubject[subject]?.removeAll { $0 == order }
        if ordersBySubject[subject]?.isEmpty == true { ordersBySubject[subject] = nil }
        if !slotAlreadyGone {
            let position = slotPosition(Slot(transmits: item.transmits, order: order, size: 0))
            slots.remove(at: position)
        }
    }

    private mutating func insert(_ slot: Slot) { slots.insert(slot, at: slotPosition(slot)) }

    /// The first position whose slot does not precede `slot` (its own, when queued).
    private func slotPosition(_ slot: Slot) -> Int {
        var low = 0
        var high = slots.count
        while low < high {
            let mid = (low + high) / 2
            if slots[mid].precedes(slot) { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
