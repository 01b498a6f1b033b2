import ChorusCore
import Logging

/// Every setting `chorus agent` reads, in one table: the loader, the flags' help, the reload and
/// the tests checking docs/configuration.md and deploy/chorus.toml all read it. A new setting is a
/// row here, a property in `AgentConfiguration` and, for a top-level key, an `@Option` in
/// `AgentCommand` (AgentFlagTests checks that the options and the table agree).
public enum AgentSettings {
    public static let all: [Setting] = [
        .one("name", .nodeName, at: \.name, default: "the host name",
             "node name, unique in the cluster, signed into its certificate"),
        .one("bind", .address(dialled: false), at: \.bind, "gossip UDP address to bind"),
        .one("advertise", SettingSyntax.address(dialled: true).optional, at: \.advertise,
             default: "the bind address, or the first non-loopback IPv4 address when bound to 0.0.0.0",
             "gossip address the other nodes reach this one at"),
        .one("http", .address(dialled: false), at: \.http, "local HTTP endpoint"),
        .list("join", of: .address(dialled: true), at: \.join, "seed gossip addresses"),
        .one("data_dir", .path, at: \.dataDir, "directory for the node identity, durable state and admin token"),
        .one("app_version", SettingSyntax.version.optional, at: \.appVersion,
             default: "what [app] version_command or version_file reports, else 0.0.0",
             "version of the application on this host, fixed: [app] version_command and version_file are not read"),
        .one("preset", .choice, at: \.preset, "timing preset for membership and decisions"),
        .one("authority", SettingSyntax.path.optional, at: \.authority, live: true,
             "cluster authority public key file"),
        .one("certificate", SettingSyntax.path.optional, at: \.certificate, live: true, "this node's certificate file"),
        .one("authority_key", SettingSyntax.path.optional, at: \.authorityKey, live: true,
             "development: authority secret key, so the agent issues its own certificate"),
        .one("log_format", .choice, at: \.logFormat, "log lines on stderr: text, or one JSON object per line"),
        .one("log_level", SettingSyntax<Logger.Level>.choice, at: \.logLevel, "lowest swift-log level logged"),
        .one("upgrade.tasks_command", SettingSyntax.command.optional, at: \.upgradeTasksCommand, live: true,
             "run by /bin/sh -c on the one elected node once an upgrade is approved"),
        .one("upgrade.tasks_timeout",
             .duration(within: .nanoseconds(1)...,
                       rejection: "duration (seconds, or a number followed by s, m or h, e.g. 30m)"),
             at: \.upgradeTasksTimeout, live: true, "upgrade tasks running longer are killed and fail"),
        .one("upgrade.auto_approve", .boolean, at: \.upgradeAutoApprove,
             "approve as soon as every voter runs the new version"),
        .one("app.version_command", SettingSyntax.command.optional, at: \.appVersionCommand, live: true,
             "run by /bin/sh -c at start and every check_interval; prints the running application's version X.Y.Z"),
        .one("app.version_file", SettingSyntax.path.optional, at: \.appVersionFile, live: true,
             "file holding the running application's version X.Y.Z, read at start and every check_interval"),
        .one("app.health_url", SettingSyntax.url.optional, at: \.appHealthURL, live: true,
             "the application is healthy while a GET of this URL answers 2xx within check_timeout"),
        .one("app.health_command", SettingSyntax.command.optional, at: \.appHealthCommand, live: true,
             "the application is healthy while this command, run by /bin/sh -c, exits 0 within check_timeout"),
        .one("app.check_interval",
             .duration(within: Duration.milliseconds(100)...Duration.seconds(3600),
                       rejection: "duration from 100ms to 1h (e.g. 2s)"),
             at: \.appCheckInterval, live: true, "how often the version is read and the health checked"),
        .one("app.check_timeout",
             .duration(within: Duration.milliseconds(100)...Duration.seconds(600),
                       rejection: "duration from 100ms to 10m (e.g. 2s)"),
             at: \.appCheckTimeout, live: true,
             "a version command or health check still running after this fails"),
        .one("rollout.node_command", SettingSyntax.command.optional, at: \.rolloutNodeCommand, live: true,
             "run by /bin/sh -c on this node in its rollout turn, drained: upgrades (or downgrades) its application to CHORUS_ROLLOUT_TO"),
        .one("rollout.rollback_command", SettingSyntax.command.optional, at: \.rolloutRollbackCommand, live: true,
             "run by /bin/sh -c when this node's turn fails, to put its application back on CHORUS_ROLLOUT_FROM"),
        .one("rollout.drain_seconds", .duration(within: Duration.zero...Duration.seconds(3600),
                                                rejection: "duration of at most 1h (seconds, or e.g. 30s, 2m)"),
             at: \.rolloutDrainDuration, live: true, "wait after draining, before the node command, so balancers notice"),
        .one("rollout.healthy_seconds", .duration(within: Duration.zero...Duration.seconds(3600),
                                                  rejection: "duration of at most 1h (seconds, or e.g. 30s, 2m)"),
             at: \.rolloutHealthyDuration, live: true,
             "the application must run the target version, healthy, this long before the node returns"),
        .one("rollout.healthy_deadline", .duration(within: Duration.seconds(1)...Duration.seconds(86_400),
                                                   rejection: "duration from 1s to 1d (e.g. 300, 10m)"),
             at: \.rolloutHealthyDeadline, live: true,
             "from the node command's start, the turn fails unless the application is healthy on the target by then"),
        .list("events.hooks", of: .hook, at: \.eventHooks, "commands run for each event"),
        .one("events.coalesce_period",
             .duration(within: .zero...Duration.seconds(60),
                       rejection: "duration of at most 60 s (e.g. 500ms, 1s; 0 delivers each event alone)"),
             at: \.eventsCoalescePeriod, "member events within this window reach a hook in one process"),
        .one("cluster.founder", SettingSyntax.text.optional, at: \.clusterFounder,
             "the name of the one agent that founds a new cluster"),
        .one("gossip.keyring_file", SettingSyntax.path.optional, at: \.gossipKeyringFile,
             "cluster keys that seal every datagram"),
        .list("endpoint.allowed_hosts", of: .hostName, at: \.endpointAllowedHosts,
              "host names requests to the endpoint may carry in Host, besides IP addresses, localhost and the http host"),
    ]

    /// The settings by file key.
    public static let byKey: [String: Setting] = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })

    /// The file's tables: `[upgrade]`, `[events]`, ...
    public static let sections: Set<String> = Set(all.compactMap(\.section))
}
