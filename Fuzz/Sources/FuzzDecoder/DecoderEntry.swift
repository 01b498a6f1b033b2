import ChorusWire

/// libFuzzer entry: the input is one datagram as it would arrive from the network.
///
/// The envelope is decoded twice: once against a fixed cluster id, as a node of another cluster
/// would, and once against the cluster id the input itself carries, so that the records behind
/// the envelope are reached without the fuzzer first having to guess eight bytes. Every record
/// then goes through every record decoder, whatever its type: a decoder must survive bytes meant
/// for another, since a sender chooses the type byte.
func fuzzDecoder(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    _ = try? Datagram.decode(bytes, expectedCluster: foreignCluster, maxSize: Datagram.defaultMaxSize)
    let ownCluster = bytes.count >= 14 ? Array(bytes[6..<14]) : foreignCluster
    guard let datagram = try? Datagram.decode(bytes, expectedCluster: ownCluster, maxSize: Datagram.defaultMaxSize)
    else { return 0 }
    for record in datagram.records { RecordDecoders.exercise(record) }
    return 0
}

private let foreignCluster: [UInt8] = Array("elsewhr!".utf8)
