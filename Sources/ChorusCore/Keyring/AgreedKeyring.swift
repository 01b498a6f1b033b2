import ChorusWire

/// The gossip keyring as decided (SPEC §2): every agent applies the same install, use and remove
/// decisions in slot order, so all hold the same ring. Keys an agent was configured with
/// (`[gossip] keyring_file`) are not in it: `SealingKeyring` joins the two.
public struct AgreedKeyring: Sendable, Equatable {
    /// The most keys accepted at once: every one is a trial the operator must finish.
    public static let maxKeys = KeyringGrant.maxKeys
    /// Removed keys whose secrets are kept, newest last: enough to recognise a member that slept
    /// through a few rotations and re-key it (`KeyringGrant`).
    public static let maxRetired = 4

    /// Installed and not removed, in install order.
    public private(set) var installed: [GossipKey] = []
    /// The key every agent seals with; nil until a `use` is decided (the configured one serves).
    public private(set) var primary: KeyID?
    /// Never accepted again and never installed again.
    public private(set) var removed: [KeyID] = []
    /// Installed, then removed: their secrets, for recognising a member that still seals with one.
    public private(set) var retired: [GossipKey] = []

    public init() {}

    /// Why `value` would change nothing, or nil when it applies (`AgreedState.voidReason`).
    func voidReason(of value: DecisionValue) -> String? {
        switch value {
        case .installKey(let key):
            if removed.contains(key.id) { return "key \(key.id) was removed; a removed key is never installed again" }
            if installed.contains(where: { $0.id == key.id }) { return "key \(key.id) is already installed" }
            return installed.count < Self.maxKeys ? nil : "the keyring already holds \(Self.maxKeys) keys; remove one first"
        case .useKey(let id):
            guard installed.contains(where: { $0.id == id }) else { return "key \(id) is not installed" }
            return primary == id ? "key \(id) is already the primary key" : nil
        case .removeKey(let id):
            if removed.contains(id) { return "key \(id) is already removed" }
            // Until a `use`, agents seal with their configured key: removing any key could be
            // removing the one in use.
            guard let primary else { return "no key is in use by decision yet; `use` another key first" }
            return primary == id ? "key \(id) is the primary key; `use` another key first" : nil
        default:
            return nil
        }
    }

    mutating func apply(_ value: DecisionValue) {
        switch value {
        case .installKey(let key):
            installed.append(key)
        case .useKey(let id):
            primary = id
        case .removeKey(let id):
            removed.append(id)
            if let key = installed.first(where: { $0.id == id }) {
                retired.append(key)
                if retired.count > Self.maxRetired { retired.removeFirst() }
            }
            installed.removeAll { $0.id == id }
        default:
            break
        }
    }
}
