import ChorusWire
import Testing

/// NodeID and PeerAddress keep their bytes inline; they must behave exactly like the bytes.
@Suite struct InlineStorageTests {
    @Test func nodeIDRoundTripsAndOrdersLikeItsBytes() {
        let keys: [[UInt8]] = [
            Array(repeating: 0, count: 32), Array(repeating: 255, count: 32),
            (0..<32).map { UInt8($0) }, (0..<32).map { UInt8(31 - $0) },
            Array(repeating: 0, count: 31) + [1], [1] + Array(repeating: 0, count: 31),
        ]
        let ids = keys.map { NodeID(bytes: $0)! }
        #expect(ids.map(\.bytes) == keys)
        for (a, ka) in zip(ids, keys) {
            for (b, kb) in zip(ids, keys) {
                #expect((a < b) == ka.lexicographicallyPrecedes(kb))
                #expect((a == b) == (ka == kb))
            }
        }
        #expect(NodeID(bytes: Array(repeating: 0, count: 31)) == nil)
    }

    @Test func peerAddressRoundTripsAndOrdersLikeItsBytes() throws {
        let addresses = [
            PeerAddress(ip: [10, 0, 0, 1], port: 7720)!, PeerAddress(ip: [10, 0, 0, 1], port: 7721)!,
            PeerAddress(ip: [10, 0, 0, 2], port: 1)!, PeerAddress(ip: [10, 0, 0, 1] + Array(repeating: 0, count: 12), port: 1)!,
            PeerAddress(ip: [10, 0, 0, 1] + Array(repeating: 0, count: 11) + [9], port: 1)!,
            PeerAddress(ip: (0..<16).map { UInt8(200 + $0) }, port: 65535)!,
        ]
        for a in addresses {
            var writer = ByteWriter()
            a.encode(into: &writer)
            var reader = ByteReader(writer.bytes)
            #expect(try PeerAddress.decode(from: &reader) == a)
            #expect(reader.isAtEnd)
            #expect(PeerAddress(ip: a.ip, port: a.port) == a)
            for b in addresses {
                let bytewise = a.ip != b.ip ? a.ip.lexicographicallyPrecedes(b.ip) : a.port < b.port
                #expect((a < b) == bytewise)
            }
        }
        #expect(addresses[0].description == "10.0.0.1:7720")
        #expect(PeerAddress(ip: [1, 2, 3], port: 1) == nil)
    }
}
