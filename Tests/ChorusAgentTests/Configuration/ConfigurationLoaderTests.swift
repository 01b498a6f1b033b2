import ChorusCore
import Testing

@testable import ChorusAgent

/// A missing file is a test bug, so it fails loudly rather than reading as empty.
private struct NoSuchFile: Error {}

private func load(
    flags: ConfigurationFlags = ConfigurationFlags(),
    environment: [String: String] = [:],
    files: [String: String] = [:]
) throws(ConfigurationError) -> AgentConfiguration {
    try ConfigurationLoader.load(flags: flags, environment: environment) { path in
        guard let text = files[path] else { throw NoSuchFile() }
        return text
    }
}

@Suite("Configuration layers")
struct ConfigurationLoaderTests {
    static let file = """
        name = "from-file"
        bind = "10.0.0.1:7720"
        http = "127.0.0.1:8000"
        join = ["10.0.0.2:7720", "10.0.0.3:7720"]
        app_version = "1.0.0"
        preset = "wan"
        log_format = "json"

        [upgrade]
        tasks_command = "migrate"
        """

    @Test func defaultsWhenNothingIsGiven() throws {
        let configuration = try load()
        #expect("\(configuration.bind)" == "0.0.0.0:7720")
        #expect("\(configuration.http)" == "127.0.0.1:7721")
        #expect(configuration.join.isEmpty)
        #expect(configuration.preset == .lan)
        #expect(configuration.logFormat == .text)
        #expect(configuration.logLevel == .info)
        #expect(configuration.upgradeTasksCommand == nil)
        #expect(configuration.appVersion == nil, "read from [app], else 0.0.0 (ApplicationChecks)")
        #expect(configuration.appCheckInterval == .seconds(2) && configuration.appCheckTimeout == .seconds(2))
        #expect(!configuration.name.isEmpty, "defaults to the host name")
    }

    @Test func fileOverridesDefaults() throws {
        let configuration = try load(flags: ConfigurationFlags(config: "/c.toml"), files: ["/c.toml": Self.file])
        #expect(configuration.name == "from-file")
        #expect("\(configuration.bind)" == "10.0.0.1:7720")
        #expect(configuration.join.map(\.description) == ["10.0.0.2:7720", "10.0.0.3:7720"])
        #expect(configuration.appVersion == "1.0.0")
        #expect(configuration.preset == .wan)
        #expect(configuration.logFormat == .json)
        #expect(configuration.upgradeTasksCommand == "migrate")
        #expect(configuration.dataDir == "/var/lib/chorus", "untouched keys keep their defaults")
    }

    @Test func environmentOverridesFileAndFlagsOverrideEnvironment() throws {
        let environment = [
            "CHORUS_CONFIG": "/c.toml",
            "CHORUS_NAME": "from-env",
            "CHORUS_BIND": "10.0.0.9:7720",
            "CHORUS_JOIN": " 10.0.1.1:7720 ,10.0.1.2:7720,, ",
            "CHORUS_PRESET": "local",
            "CHORUS_UPGRADE_TASKS_COMMAND": "env-migrate",
            "CHORUS_HTTP_ADDR": "ignored: a client setting",
            "CHORUS_SOMETHING_ELSE": "ignored",
        ]
        let files = ["/c.toml": Self.file]

        let fromEnvironment = try load(environment: environment, files: files)
        #expect(fromEnvironment.name == "from-env")
        #expect("\(fromEnvironment.bind)" == "10.0.0.9:7720")
        #expect(fromEnvironment.join.map(\.description) == ["10.0.1.1:7720", "10.0.1.2:7720"], "the environment list replaces the file's")
        #expect(fromEnvironment.preset == .local)
        #expect(fromEnvironment.upgradeTasksCommand == "env-migrate")
        #expect("\(fromEnvironment.http)" == "127.0.0.1:8000", "keys the environment does not set come from the file")

        let flags = ConfigurationFlags(["name": ["from-flag"], "join": ["[::1]:7720"], "preset": ["lan"]])
        let fromFlags = try load(flags: flags, environment: environment, files: files)
        #expect(fromFlags.name == "from-flag")
        #expect(fromFlags.join.map(\.description) == ["[::1]:7720"])
        #expect(fromFlags.preset == .lan)
        #expect("\(fromFlags.bind)" == "10.0.0.9:7720", "keys no flag sets come from the environment")
        #expect(fromFlags.logFormat == .json, "and then from the file")
    }

    @Test func theFounderIsNamedOrTheAgentWithoutSeeds() throws {
        let shared = """
            join = ["10.0.0.1:7720", "10.0.0.2:7720"]
            [cluster]
            founder = "node-2"
            """
        let files = ["/c.toml": shared]
        #expect(try load(flags: ConfigurationFlags(config: "/c.toml", ["name": ["node-2"]]), files: files).foundsCluster)
        #expect(try !load(flags: ConfigurationFlags(config: "/c.toml", ["name": ["node-1"]]), files: files).foundsCluster)
        #expect(try load(environment: ["CHORUS_CLUSTER_FOUNDER": "node-1"], files: files).clusterFounder == "node-1")
        #expect(try load().foundsCluster, "no founder named, no seeds: this agent founds")
        #expect(try !load(flags: ConfigurationFlags(["join": ["10.0.0.1:7720"]])).foundsCluster)
    }

    @Test func configFlagWinsOverConfigVariable() throws {
        let configuration = try load(
            flags: ConfigurationFlags(config: "/flag.toml"),
            environment: ["CHORUS_CONFIG": "/env.toml"],
            files: ["/flag.toml": "name = \"flag-file\"", "/env.toml": "name = \"env-file\""])
        #expect(configuration.name == "flag-file")
    }

    @Test func emptyEnvironmentValuesCountAsUnset() throws {
        let configuration = try load(environment: ["CHORUS_BIND": "", "CHORUS_JOIN": " , "])
        #expect("\(configuration.bind)" == "0.0.0.0:7720")
        #expect(configuration.join.isEmpty)
    }

    @Test func acceptsEveryAddressForm() throws {
        let flags = ConfigurationFlags([
            "bind": ["0.0.0.0:0"], "advertise": ["[2001:db8::1]:7720"], "http": ["[::1]:7721"],
            "join": ["node-1.example.com:7720", "chorus_node2:7720", "192.168.1.10:65535"],
        ])
        let configuration = try load(flags: flags)
        #expect(configuration.advertise?.description == "[2001:db8::1]:7720")
        #expect(configuration.join.count == 3)
    }
}

@Suite("Typed configuration values")
struct TypedConfigurationTests {
    @Test func valuesAreParsedOnceIntoTheirTypes() throws {
        let file = """
            bind = "[::1]:0"
            log_level = "debug"
            [upgrade]
            tasks_timeout = 90
            auto_approve = true
            [events]
            hooks = ["*=logger -t chorus", "upgrade-finished=notify A=1"]
            coalesce_period = "500ms"
            """
        let configuration = try load(flags: ConfigurationFlags(config: "/c.toml"), files: ["/c.toml": file])
        #expect(configuration.bind == HostPort(host: "::1", port: 0))
        #expect(configuration.logLevel == .debug)
        #expect(configuration.upgradeTasksTimeout == .seconds(90))
        #expect(configuration.upgradeAutoApprove)
        #expect(configuration.eventHooks.map(\.event) == ["*", "upgrade-finished"])
        #expect(configuration.eventHooks.last?.command == "notify A=1")
        #expect(configuration.eventsCoalescePeriod == .milliseconds(500))
        #expect(try load(environment: ["CHORUS_UPGRADE_TASKS_TIMEOUT": "2h"]).upgradeTasksTimeout == .seconds(7200))
    }

    @Test func onlyTopLevelSettingsAreFlags() {
        #expect(throws: ConfigurationError("flags: 'upgrade.tasks_command' is not a setting given on the command line")) {
            try load(flags: ConfigurationFlags(["upgrade.tasks_command": ["migrate"]]))
        }
    }
}

@Suite("Configuration errors")
struct ConfigurationErrorTests {
    @Test(arguments: [
        (ConfigurationFlags(["bind": ["10.0.0.1"]]), "flag --bind: '10.0.0.1' is not a valid HOST:PORT: missing ':PORT'"),
        (ConfigurationFlags(["http": ["::1:7721"]]),
         "flag --http: '::1:7721' is not a valid HOST:PORT: IPv6 addresses must be in brackets, e.g. [::1]:7720"),
        (ConfigurationFlags(["advertise": ["10.0.0.1:0"]]), "flag --advertise: '10.0.0.1:0' is not a valid HOST:PORT: port 0 cannot be dialled"),
        (ConfigurationFlags(["join": ["10.0.0.1:7720", "300.1.1.1:7720"]]),
         "flag --join: '300.1.1.1:7720' is not a valid HOST:PORT: '300.1.1.1' is not a valid IPv4 address"),
        (ConfigurationFlags(["join": ["host:70000"]]), "flag --join: 'host:70000' is not a valid HOST:PORT: port '70000' is not a number in 0...65535"),
        (ConfigurationFlags(["join": ["[10.0.0.1]:7720"]]),
         "flag --join: '[10.0.0.1]:7720' is not a valid HOST:PORT: '10.0.0.1' in brackets is not an IPv6 address"),
        (ConfigurationFlags(["join": ["bad_-host-:7720"]]),
         "flag --join: 'bad_-host-:7720' is not a valid HOST:PORT: 'bad_-host-' is not a valid host name or IP address"),
        (ConfigurationFlags(["app_version": ["1.2"]]), "flag --app-version: '1.2' is not a version X.Y.Z (three numbers, e.g. 1.4.2)"),
        (ConfigurationFlags(["app_version": ["1.02.3"]]), "flag --app-version: '1.02.3' is not a version X.Y.Z (three numbers, e.g. 1.4.2)"),
        (ConfigurationFlags(["app_version": ["1.2.3-beta"]]), "flag --app-version: '1.2.3-beta' is not a version X.Y.Z (three numbers, e.g. 1.4.2)"),
        (ConfigurationFlags(["preset": ["fast"]]), "flag --preset: 'fast' is not one of lan, local, wan"),
        (ConfigurationFlags(["log_format": ["xml"]]), "flag --log-format: 'xml' is not one of text, json"),
        (ConfigurationFlags(["log_level": ["loud"]]),
         "flag --log-level: 'loud' is not one of trace, debug, info, notice, warning, error, critical"),
        (ConfigurationFlags(["name": ["two words"]]),
         "flag --name: 'two words' is not a valid node name (1 to 64 bytes, no spaces, control characters or '/')"),
        (ConfigurationFlags(["name": [String(repeating: "n", count: 65)]]),
         "flag --name: '\(String(repeating: "n", count: 65))' is not a valid node name (1 to 64 bytes, no spaces, control characters or '/')"),
        (ConfigurationFlags(["data_dir": [""]]), "flag --data-dir: must not be empty"),
    ])
    func flagErrorsNameTheFlag(flags: ConfigurationFlags, message: String) {
        #expect(throws: ConfigurationError(message)) { try load(flags: flags) }
    }

    @Test func environmentErrorsNameTheVariable() {
        #expect(throws: ConfigurationError("environment variable CHORUS_PRESET: 'LAN' is not one of lan, local, wan")) {
            try load(environment: ["CHORUS_PRESET": "LAN"])
        }
        #expect(throws: ConfigurationError(
            "environment variable CHORUS_JOIN: 'a:1:2' is not a valid HOST:PORT: IPv6 addresses must be in brackets, e.g. [::1]:7720"
        )) {
            try load(environment: ["CHORUS_JOIN": "10.0.0.1:7720,a:1:2"])
        }
    }

    @Test(arguments: [
        ("bnid = \"0.0.0.0:7720\"", "config file /c.toml: unknown key 'bnid'"),
        ("[upgrade]\ntask_command = \"x\"", "config file /c.toml: unknown key 'upgrade.task_command'"),
        ("[upgarde]", "config file /c.toml: unknown table [upgarde]"),
        ("join = \"10.0.0.1:7720\"",
         "config file /c.toml, key 'join': must be an array of strings, e.g. join = [\"10.0.0.1:7720\"]"),
        ("bind = 7720", "config file /c.toml, key 'bind': must be a string in quotes"),
        ("name = \"a\"\napp_version = 1.2", "config file /c.toml, key 'app_version': must be a string in quotes"),
        ("[upgrade]\nauto_approve = \"yes\"", "config file /c.toml, key 'upgrade.auto_approve': 'yes' is not one of true, false"),
        ("[upgrade]\ntasks_timeout = 0", "config file /c.toml, key 'upgrade.tasks_timeout': '0' is not a duration (seconds, or a number followed by s, m or h, e.g. 30m)"),
        ("[events]\nhooks = [\"upgrade-finished\"]",
         "config file /c.toml, key 'events.hooks': event hook 'upgrade-finished' must be EVENT=COMMAND (EVENT may be *)"),
        ("[events]\ncoalesce_period = \"2m\"",
         "config file /c.toml, key 'events.coalesce_period': '2m' is not a duration of at most 60 s (e.g. 500ms, 1s; 0 delivers each event alone)"),
        ("preset = \"fast\"", "config file /c.toml, key 'preset': 'fast' is not one of lan, local, wan"),
        ("[app]\nhealth_url = \"127.0.0.1:8080/health\"",
         "config file /c.toml, key 'app.health_url': '127.0.0.1:8080/health' is not an http:// or https:// URL with a host"),
        ("[app]\nhealth_url = \"file:///etc/passwd\"",
         "config file /c.toml, key 'app.health_url': 'file:///etc/passwd' is not an http:// or https:// URL with a host"),
        ("[app]\ncheck_interval = \"10ms\"",
         "config file /c.toml, key 'app.check_interval': '10ms' is not a duration from 100ms to 1h (e.g. 2s)"),
        ("[app]\nversion_command = \"app --version\"\nversion_file = \"/opt/app/VERSION\"",
         "[app] version_command and version_file are both set: the version comes from one of them"),
        ("[app]\nhealth_url = \"http://127.0.0.1/\"\nhealth_command = \"true\"",
         "[app] health_url and health_command are both set: health is checked one way"),
        ("[endpoint]\nallowed_hosts = [\"http://node-1\"]",
         "config file /c.toml, key 'endpoint.allowed_hosts': 'http://node-1' is not a host name (no port, scheme or path)"),
    ])
    func fileErrorsNameTheFileAndKey(text: String, message: String) {
        #expect(throws: ConfigurationError(message)) {
            try load(flags: ConfigurationFlags(config: "/c.toml"), files: ["/c.toml": text])
        }
    }

    @Test func aSyntaxErrorNamesItsLine() {
        #expect {
            try load(flags: ConfigurationFlags(config: "/c.toml"), files: ["/c.toml": "name = \"a\"\nbind = \n"])
        } throws: { error in
            "\(error)".hasPrefix("config file /c.toml: line 2: ")
        }
    }

    @Test func unreadableFileIsReported() {
        #expect {
            try load(flags: ConfigurationFlags(config: "/missing.toml"))
        } throws: { error in
            "\(error)".hasPrefix("config file /missing.toml: cannot read it: ")
        }
    }

    @Test func flagsWinEvenOverAnInvalidEnvironmentValue() throws {
        #expect(try load(flags: ConfigurationFlags(["preset": ["wan"]]), environment: ["CHORUS_PRESET": "bogus"]).preset == .wan)
    }
}
