/// Node ids move as four big-endian words, so encoding and decoding one allocates nothing.
extension ByteWriter {
    public mutating func write(_ id: NodeID) {
        write(uint64: id.w0)
        write(uint64: id.w1)
        write(uint64: id.w2)
        write(uint64: id.w3)
    }
}

extension ByteReader {
    public mutating func readNodeID() throws(WireError) -> NodeID {
        NodeID(words: try readUInt64(), try readUInt64(), try readUInt64(), try readUInt64())
    }
}
