import ChorusWire

/// What a membership instance is created from. All of it is supplied by the shell (identity from
/// disk, randomness from a seed), so the same configuration and inputs replay the same run.
public struct MembershipConfiguration: Sendable {
    /// This node's key; its public key is the node id.
    public var signer: any MessageSigner
    public var certificate: Certificate
    /// The cluster authority's public key; its first 8 bytes are the cluster id on the wire.
    public var authorityKey: [UInt8]
    public var scheme: any SignatureScheme
    /// Keyed by the shell: probe nonces must be unpredictable to anyone watching the wire.
    public var nonces: any NonceGenerator
    public var settings: MembershipSettings
    /// The gossip address others reach this node at, carried in its heartbeat.
    public var advertiseAddress: PeerAddress
    public var appVersion: String
    public var seeds: [PeerAddress]
    /// The last incarnation this node persisted; it starts at the next one.
    public var restoredIncarnation: UInt64
    public var randomSeed: UInt64
    public var decisionSettings = DecisionSettings()
    /// Found the cluster (decision slot 0) when there is no log: the agent sets this for a node
    /// started without seeds; exactly one node of a new cluster should have it.
    public var foundsCluster = false
    /// How long a founder waits, hearing from peers, before it founds; it does not found once it
    /// hears of a peer that has decided anything (that cluster exists: it catches up instead).
    public var foundingDelay = Duration.zero
    /// The operator drained this node before it stopped: it comes back draining (SPEC §6).
    public var startsDraining = false
    /// What the first heartbeat says of the application's health, until `setApplicationFacts`.
    public var appHealth = ApplicationHealth.unknown
    /// Delays this node's first probe and gossip round, which sets the phase of all later ones.
    /// Agents booted at different moments tick out of step anyway; the simulator draws one per
    /// node where it boots a whole cluster in one instant (`SimulatedCluster(convergedSize:)`).
    public var firstRoundDelay = Duration.zero
    /// The decision log and acceptor state this node persisted.
    public var restoredDecisions = DurableDecisions()
    /// The voters' names this node persisted (`VoterNames`).
    public var restoredVoterNames = VoterNames()
    /// Seals gossip when there is a key (SPEC §2, Confidentiality); nil: signed, in the clear.
    public var cipher: (any GossipCipher)?
    /// The keys this agent was configured with (`[gossip] keyring_file`), the primary first: the
    /// decided keyring adds to them and removes from them.
    public var gossipKeys: [GossipKey] = []

    public init(signer: any MessageSigner, certificate: Certificate, authorityKey: [UInt8],
                scheme: any SignatureScheme, nonces: any NonceGenerator, settings: MembershipSettings, advertiseAddress: PeerAddress,
                appVersion: String, seeds: [PeerAddress], restoredIncarnation: UInt64, randomSeed: UInt64) {
        self.signer = signer
        self.certificate = certificate
        self.authorityKey = authorityKey
        self.scheme = scheme
        self.nonces = nonces
        self.settings = settings
        self.advertiseAddress = advertiseAddress
        self.appVersion = appVersion
        self.seeds = seeds
        self.restoredIncarnation = restoredIncarnation
        self.randomSeed = randomSeed
    }
}
