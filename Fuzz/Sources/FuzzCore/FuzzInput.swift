/// Reads choices from the fuzzer's bytes. Never fails: past the end every read is zero, so any
/// input is a valid script and the fuzzer's mutations all land somewhere meaningful.
struct FuzzInput {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset >= bytes.count }

    mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func choice(_ count: Int) -> Int { Int(byte()) % count }

    mutating func flag() -> Bool { byte() & 1 == 1 }

    mutating func bytes(count: Int) -> [UInt8] { (0..<count).map { _ in byte() } }

    /// Up to `maxCount` bytes, the count chosen by the input.
    mutating func shortBytes(maxCount: Int = 255) -> [UInt8] { bytes(count: Int(byte()) % (maxCount + 1)) }

    mutating func uint32() -> UInt32 { (0..<4).reduce(0) { value, _ in value << 8 | UInt32(byte()) } }

    mutating func uint64() -> UInt64 { (0..<8).reduce(0) { value, _ in value << 8 | UInt64(byte()) } }

    /// Mostly the values where bounded arithmetic breaks (0, 1, the maximum and its neighbours),
    /// otherwise any value: a liar's numbers, not a random walk that never reaches the edges.
    mutating func extremeUInt64() -> UInt64 {
        let edges: [UInt64] = [0, 1, 2, 3, .max, .max - 1, .max - 2, 1 << 63, UInt64(UInt32.max), UInt64(UInt32.max) + 1]
        let pick = choice(edges.count + 2)
        return pick < edges.count ? edges[pick] : uint64()
    }

    mutating func extremeUInt32() -> UInt32 {
        let edges: [UInt32] = [0, 1, 2, 3, .max, .max - 1, .max - 2, 1 << 31]
        let pick = choice(edges.count + 2)
        return pick < edges.count ? edges[pick] : uint32()
    }

    /// Up to 12 bytes of printable ASCII: versions, reasons, banner texts.
    mutating func shortText() -> String {
        let count = choice(13)
        return String(decoding: (0..<count).map { _ in 0x21 + byte() % 0x5e }, as: UTF8.self)
    }
}
