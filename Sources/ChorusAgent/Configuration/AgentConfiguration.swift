import ChorusCore
import Logging

/// Everything `chorus agent` needs, validated and typed, after file, environment and flags have
/// been merged (flags > environment > file > defaults; SPEC §1). The initial values below are
/// the defaults; `AgentSettings.all` documents them from here. Each property's meaning, syntax
/// and names in the file, environment and flags are in that table.
public struct AgentConfiguration: Sendable, Equatable {
    /// Empty until the loader sets it: the default is the host name.
    public var name = ""
    public var bind = HostPort(host: "0.0.0.0", port: 7720)
    /// nil: the bind address, or the first non-loopback interface address when bound to 0.0.0.0.
    public var advertise: HostPort?
    public var http = HostPort(host: "127.0.0.1", port: 7721)
    public var join: [HostPort] = []
    public var dataDir = "/var/lib/chorus"
    /// nil: read from `appVersionCommand` or `appVersionFile`, else `ApplicationChecks.unknownVersion`.
    public var appVersion: String?
    public var preset = TimingPreset.lan
    public var authority: String?
    public var certificate: String?
    public var authorityKey: String?
    public var logFormat = LogFormat.text
    public var logLevel = Logger.Level.info
    public var upgradeTasksCommand: String?
    public var upgradeTasksTimeout = Duration.seconds(1800)
    public var upgradeAutoApprove = false
    public var appVersionCommand: String?
    public var appVersionFile: String?
    public var appHealthURL: String?
    public var appHealthCommand: String?
    public var appCheckInterval = Duration.seconds(2)
    public var appCheckTimeout = Duration.seconds(2)
    public var rolloutNodeCommand: String?
    public var rolloutRollbackCommand: String?
    public var rolloutDrainDuration = Duration.seconds(10)
    public var rolloutHealthyDuration = Duration.seconds(10)
    public var rolloutHealthyDeadline = Duration.seconds(300)
    public var eventHooks: [EventHook] = []
    public var eventsCoalescePeriod = Duration.seconds(1)
    public var clusterFounder: String?
    public var gossipKeyringFile: String?
    public var endpointAllowedHosts: [String] = []

    /// Every setting at its default.
    public static let defaults = AgentConfiguration()

    /// Whether this agent founds the cluster when it has no decision log (and no peer has one).
    public var foundsCluster: Bool { clusterFounder.map { $0 == name } ?? join.isEmpty }

    public enum LogFormat: String, Sendable, Equatable, CaseIterable {
        case text, json
    }
}
