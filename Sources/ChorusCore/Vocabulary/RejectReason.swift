/// Why an inbound datagram or record was dropped.
public enum RejectReason: String, Sendable, CaseIterable {
    /// Malformed, truncated, oversized, wrong magic or cluster.
    case malformed
    /// Signed by a key with no valid certificate under the authority (unknown, expired, forged).
    case untrustedSender
    /// The signature did not verify.
    case badSignature
    /// An (incarnation, sequence) not newer than one already seen, a copy of a recent datagram
    /// from elsewhere, or a datagram from an earlier process of its sender.
    case replay
    /// Addressed to another node (protocol 3's exchange): captured on another path.
    case misdirected
    /// A signed number no honest peer sends: an incarnation beyond `IncarnationBounds`.
    case outOfRange
    /// An ack that answers no probe in flight: a wrong nonce or sender (a replayed capture).
    case stale
    /// Not checked at all: the source had spent its share of our signature checks
    /// (`VerificationBudget`).
    case shed
    /// Gossip is sealed here and this datagram was not (SPEC §2, Confidentiality).
    case unsealed
    /// Sealed with a key this node does not hold, or altered: refused at the cost of one
    /// authenticated decryption, before any signature check.
    case badSeal
    /// From a key the cluster revoked (`chorus members revoke`), whatever its certificate.
    case revoked
    /// A heartbeat of a second member with the name of a live one (its certificate names it).
    case duplicateName
}
