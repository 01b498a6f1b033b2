import ChorusWire

/// The keys this node seals with and accepts, from three sources: the keys it was configured
/// with, the decided keyring, and a grant from a member while it catches up on a rotation it
/// missed. A removed key is never accepted, whatever its source, but is kept as `retired` so a
/// member still sealing with it can be recognised and re-keyed.
public struct SealingKeyring: Sendable, Equatable {
    public enum Source: String, Sendable {
        case configured, installed, granted
    }

    /// What sealed datagrams leave with; nil: gossip is not sealed.
    public private(set) var primary: GossipKey?
    public private(set) var accepted: [KeyID: GossipKey] = [:]
    public private(set) var retired: [KeyID: GossipKey] = [:]
    /// Every accepted key with where it came from, in the order listed to operators.
    public private(set) var listing: [(id: KeyID, source: Source)] = []

    public static func == (lhs: SealingKeyring, rhs: SealingKeyring) -> Bool {
        lhs.primary == rhs.primary && lhs.accepted == rhs.accepted && lhs.retired == rhs.retired
    }

    public var isSealing: Bool { primary != nil }

    public init() {}

    public init(configured: [GossipKey], agreed: AgreedKeyring, granted: KeyringGrant?) {
        let removed = Set(agreed.removed)
        let sources: [(GossipKey, Source)] = configured.map { ($0, .configured) } + agreed.installed.map { ($0, .installed) }
            + (granted?.keys ?? []).map { ($0, .granted) }
        for (key, source) in sources {
            if removed.contains(key.id) {
                retired[key.id] = key
            } else if accepted[key.id] == nil {
                accepted[key.id] = key
                listing.append((key.id, source))
            }
        }
        for key in agreed.retired { retired[key.id] = key }
        let accepted = accepted
        primary = [granted?.primary.id, agreed.primary, configured.first?.id].lazy.compactMap { $0 }.compactMap { accepted[$0] }.first
    }
}
