import ChorusWire

/// What this node may still send back to the source of the datagram it is handling (SPEC §2:
/// no amplification). A source address is unproven unless it is the one its sender signed into
/// the heartbeat we hold: anyone can put any source on a captured datagram, and the answer must
/// not be a weapon against that address. So, until proven, everything sent back there while the
/// datagram is handled adds up to at most the bytes it carried.
struct ReplyAllowance: Sendable {
    let source: PeerAddress
    let sender: NodeID
    private(set) var bytes: Int

    init(source: PeerAddress, sender: NodeID, received: Int) {
        self.source = source
        self.sender = sender
        bytes = received
    }

    /// Takes `count` bytes for a datagram to `address`; false when it would go over.
    mutating func take(_ count: Int, to address: PeerAddress) -> Bool {
        guard address == source else { return true }
        guard count <= bytes else { return false }
        bytes -= count
        return true
    }

    /// The largest datagram that may still go to `address`, or nil when it is not limited.
    func room(for address: PeerAddress) -> Int? { address == source ? bytes : nil }
}
