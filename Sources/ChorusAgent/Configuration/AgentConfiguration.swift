import ChorusCore

/// Everything `chorus agent` needs, after file, environment and flags have been merged
/// (flags > environment > file > defaults; SPEC §1).
public struct AgentConfiguration: Sendable, Equatable {
    /// Node name, unique in the cluster; defaults to the host name.
    public var name: String
    /// Gossip UDP address to bind, "HOST:PORT". Default "0.0.0.0:7720".
    public var bind: String
    /// Gossip address other nodes use to reach this one; default: the bind address, or the
    /// first non-loopback interface address when bound to 0.0.0.0.
    public var advertise: String?
    /// Local HTTP endpoint, "HOST:PORT". Default "127.0.0.1:7721".
    public var http: String
    /// Seed gossip addresses, "HOST:PORT" each.
    public var join: [String]
    /// Directory for identity, durable protocol state and the admin token.
    public var dataDir: String
    /// The application version this host runs, "X.Y.Z".
    public var appVersion: String
    public var preset: TimingPreset
    /// Path of the cluster authority public key file.
    public var authority: String?
    /// Path of this node's certificate file.
    public var certificate: String?
    /// Development only: path of the authority secret key, so the agent issues its own certificate.
    public var authorityKey: String?
    public var logFormat: LogFormat
    public var logLevel: String
    /// `[upgrade] tasks_command`: run by `/bin/sh -c` on the elected node once an upgrade is approved.
    public var upgradeTasksCommand: String?
    /// `[upgrade] tasks_timeout`: the tasks fail when they run longer. Default 30 minutes.
    public var upgradeTasksTimeout: Duration = .seconds(1800)
    /// `[upgrade] auto_approve`: approve as soon as every voter runs the new version. Default false.
    public var upgradeAutoApprove = false
    /// `[events] hooks`: "EVENT=COMMAND" entries (EVENT may be `*`).
    public var eventHooks: [String] = []
    /// `[events] coalesce_period`: member events within it reach a hook in one process (`EventHooks`).
    public var eventsCoalescePeriod: Duration = .seconds(1)
    /// `[cluster] founder`: the name of the one agent that founds a new cluster, so every agent
    /// can share one configuration (and one `join` list). Without it, the agent started without
    /// `join` founds.
    public var clusterFounder: String?
    /// `[gossip] keyring_file`: base64 cluster keys, one per line, the first one sealing (SPEC §2,
    /// Confidentiality). Without it gossip is signed but in the clear.
    public var gossipKeyringFile: String?
    /// `[endpoint] allowed_hosts`: names besides IP addresses, `localhost` and the `http` host
    /// that requests may carry in `Host` (DNS-rebinding defence, `HostCheckMiddleware`).
    public var endpointAllowedHosts: [String] = []

    /// Whether this agent founds the cluster when it has no decision log (and no peer has one).
    public var foundsCluster: Bool { clusterFounder.map { $0 == name } ?? join.isEmpty }

    public enum LogFormat: String, Sendable, Equatable, CaseIterable {
        case text, json
    }

    public init(
        name: String, bind: String = "0.0.0.0:7720", advertise: String? = nil, http: String = "127.0.0.1:7721",
        join: [String] = [], dataDir: String = "/var/lib/chorus", appVersion: String = "0.0.0",
        preset: TimingPreset = .lan, authority: String? = nil, certificate: String? = nil,
        authorityKey: String? = nil, logFormat: LogFormat = .text, logLevel: String = "info",
        upgradeTasksCommand: String? = nil
    ) {
        self.name = name
        self.bind = bind
        self.advertise = advertise
        self.http = http
        self.join = join
        self.dataDir = dataDir
        self.appVersion = appVersion
        self.preset = preset
        self.authority = authority
        self.certificate = certificate
        self.authorityKey = authorityKey
        self.logFormat = logFormat
        self.logLevel = logLevel
        self.upgradeTasksCommand = upgradeTasksCommand
    }
}
