import ChorusCore
import ChorusWire

/// libFuzzer entry: the input is a script of steps against a copy of the settled node 0.
///
/// Each step is a datagram from a sender the input picks (a roster member, or the outsider whose
/// certificate no authority here signed), holding records from `FuzzRecords`, with or without
/// the sender's certificate, signed by the sender or damaged; or raw bytes as a datagram; or a
/// tick after a delay from 0 to about an hour. Time only moves forward, as the shell's clock does.
func fuzzCore(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var input = FuzzInput(start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? [])
    let cluster = FuzzCluster.shared
    let records = FuzzRecords(cluster: cluster)
    var node = cluster.settledNode
    var now = FuzzCluster.settledAt
    for _ in 0..<maxSteps where !input.isAtEnd {
        switch input.choice(3) {
        case 0:
            let (bytes, source) = datagram(&input, cluster: cluster, records: records)
            _ = node.receive(bytes, from: source, now: now)
        case 1:
            _ = node.receive(input.shortBytes(), from: cluster.addresses[1 + input.choice(FuzzCluster.size - 1)], now: now)
        default:
            now = now + delay(&input)
            _ = node.tick(now: now, unixSeconds: FuzzCluster.unixSeconds(at: now))
        }
    }
    return 0
}

/// Enough for a prepare, its promises, an accept and its votes, with ticks between.
private let maxSteps = 48

private func datagram(_ input: inout FuzzInput, cluster: FuzzCluster, records: FuzzRecords) -> ([UInt8], PeerAddress) {
    let pick = 1 + input.choice(FuzzCluster.size)
    let sender = pick < FuzzCluster.size ? cluster.identities[pick] : cluster.outsider
    let source = cluster.addresses[min(pick, FuzzCluster.size - 1)]
    var builder = DatagramBuilder(clusterID: cluster.clusterID, sender: NodeID(bytes: sender.signer.publicKey)!,
                                  maxSize: Datagram.defaultMaxSize)
    if input.flag() { builder.append(Record(type: RecordType.certificate.rawValue, value: sender.certificate.encoded)) }
    for _ in 0..<1 + input.choice(4) {
        for record in records.record(&input) { builder.append(record) }
    }
    var bytes = builder.finish(signer: sender.signer)
    // Rarely, a flipped bit anywhere: the signature check must catch it, whatever it hits.
    if input.byte() == 0xff { bytes[Int(input.uint32()) % bytes.count] ^= 1 << (input.byte() % 8) }
    return (bytes, source)
}

/// Mostly within a probe round or a few (the timers under test), sometimes minutes or an hour.
private func delay(_ input: inout FuzzInput) -> Duration {
    let step = Int64(input.byte())
    switch input.choice(4) {
    case 0, 1: return .milliseconds(step * 10)
    case 2: return .milliseconds(step * 200)
    default: return .seconds(step * 15)
    }
}
