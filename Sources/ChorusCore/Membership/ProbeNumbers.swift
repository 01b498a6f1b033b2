import ChorusWire

/// What each ping this node sends carries to tell its replies apart: a sequence number, and a
/// nonce from the shell's keyed generator that only an ack from whoever got the ping can echo
/// (`ProbeFreshness`), so a reply captured earlier answers nothing.
struct ProbeNumbers {
    private let nonces: any NonceGenerator
    private var noncesTaken: UInt64 = 0
    private var nextSequence: UInt32 = 1

    init(nonces: any NonceGenerator) { self.nonces = nonces }

    mutating func take() -> (sequence: UInt32, nonce: UInt64) {
        defer {
            nextSequence &+= 1
            noncesTaken &+= 1
        }
        return (nextSequence, nonces.nonce(noncesTaken))
    }
}
