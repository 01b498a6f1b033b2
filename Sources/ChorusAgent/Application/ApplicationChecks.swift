import ChorusCore

/// How this agent learns its application's version and health (SPEC §13), from `app_version`
/// and the `[app]` settings.
struct ApplicationChecks: Sendable, Equatable {
    /// The version of a node that names none, as before version checks existed.
    static let unknownVersion = "0.0.0"

    enum VersionSource: Sendable, Equatable {
        /// `app_version`: an operator's fixed override, or the default.
        case fixed(String)
        /// `[app] version_command`: its stdout.
        case command(String)
        /// `[app] version_file`: its content.
        case file(String)
    }

    enum HealthCheck: Sendable, Equatable {
        case none
        /// `[app] health_url`: a 2xx answer is healthy.
        case url(String)
        /// `[app] health_command`: exit 0 is healthy.
        case command(String)
    }

    var version: VersionSource
    var health: HealthCheck
    var interval: Duration
    var timeout: Duration

    init(_ configuration: AgentConfiguration) {
        if let fixed = configuration.appVersion {
            version = .fixed(fixed)
        } else if let command = configuration.appVersionCommand {
            version = .command(command)
        } else if let file = configuration.appVersionFile {
            version = .file(file)
        } else {
            version = .fixed(Self.unknownVersion)
        }
        if let url = configuration.appHealthURL {
            health = .url(url)
        } else if let command = configuration.appHealthCommand {
            health = .command(command)
        } else {
            health = .none
        }
        interval = configuration.appCheckInterval
        timeout = configuration.appCheckTimeout
    }

    /// Nothing to read or check: the version is fixed and no health check is configured.
    var isIdle: Bool {
        if case .fixed = version, health == .none { return true }
        return false
    }

    /// What the first heartbeat says before the first check has finished: a configured check
    /// has not yet shown the application healthy, so balancers and the disruption budget wait
    /// for it; without a check, health is unknown.
    var healthBeforeFirstCheck: ApplicationHealth { health == .none ? .unknown : .unhealthy }
}

extension AgentConfiguration {
    /// Settings that exclude each other, as a message naming both; nil when there are none.
    var conflict: String? {
        if appVersionCommand != nil, appVersionFile != nil {
            return "[app] version_command and version_file are both set: the version comes from one of them"
        }
        if appHealthURL != nil, appHealthCommand != nil {
            return "[app] health_url and health_command are both set: health is checked one way"
        }
        return nil
    }
}
