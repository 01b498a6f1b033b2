import ChorusWire

/// Sealing and opening of whole datagrams with the cluster's keys (SPEC §2, Confidentiality).
/// Without a cipher or a key, datagrams travel signed but in the clear, as before.
struct GossipSealing: Sendable {
    enum Opened {
        case datagram([UInt8])
        /// Sealed with a removed key: the sender missed a rotation; only a grant answers it.
        case retired([UInt8], key: GossipKey)
        case refused(RejectReason)
    }

    let cipher: (any GossipCipher)?
    let configured: [GossipKey]
    /// Keys a member handed us after we sealed with a removed one; dropped once our own log has
    /// caught up with the granter's.
    private(set) var granted: KeyringGrant?
    private(set) var keyring = SealingKeyring()
    /// When each member that sealed with a removed key last got a grant from us.
    var grantsSentAt: [NodeID: Instant] = [:]

    init(cipher: (any GossipCipher)?, configured: [GossipKey]) {
        self.cipher = cipher
        self.configured = cipher == nil ? [] : configured
    }

    /// What sealing adds to every datagram sent.
    var overhead: Int { keyring.isSealing ? SealedFrame.overhead : 0 }

    /// One authenticated decryption, before any signature is checked: a sender without a key of
    /// ours costs us that and nothing more.
    func open(_ bytes: [UInt8]) -> Opened {
        guard let cipher, keyring.isSealing else { return .datagram(bytes) }
        guard let id = SealedFrame.keyID(of: bytes) else { return .refused(.unsealed) }
        if let key = keyring.accepted[id] {
            return cipher.open(bytes, with: key).map { .datagram($0) } ?? .refused(.badSeal)
        }
        if let key = keyring.retired[id] {
            return cipher.open(bytes, with: key).map { .retired($0, key: key) } ?? .refused(.badSeal)
        }
        return .refused(.badSeal)
    }

    /// `datagram` sealed with `key`, by default the primary; unchanged when gossip is not sealed.
    func seal(_ datagram: [UInt8], with key: GossipKey? = nil) -> [UInt8] {
        guard let cipher, let key = key ?? keyring.primary else { return datagram }
        return cipher.seal(datagram, with: key)
    }

    /// Rebuilds the keyring after a decision or a grant; a grant no newer than our log goes.
    mutating func refresh(agreed: AgreedKeyring, decidedSlots: UInt64) {
        if let grant = granted, decidedSlots >= grant.decidedSlots { granted = nil }
        keyring = SealingKeyring(configured: configured, agreed: agreed, granted: granted)
    }

    /// Takes a member's grant if it is newer than our log and leaves our primary behind (we did
    /// miss a rotation); false otherwise.
    mutating func adopt(_ grant: KeyringGrant, agreed: AgreedKeyring, decidedSlots: UInt64) -> Bool {
        guard grant.decidedSlots > decidedSlots, keyring.isSealing,
              !grant.keys.contains(where: { $0.id == keyring.primary?.id }) else { return false }
        granted = grant
        refresh(agreed: agreed, decidedSlots: decidedSlots)
        return true
    }
}
