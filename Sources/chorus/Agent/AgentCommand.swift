import ArgumentParser
import ChorusAgent
import Foundation

/// `chorus agent`: runs the agent in the foreground until SIGTERM or SIGINT.
///
/// Flags are the top configuration layer (flags > `CHORUS_*` environment > `--config` file >
/// defaults); they stay strings here so that every layer is validated by the same code, with a
/// message naming the flag, variable or file key at fault.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the Chorus agent on this host.",
        discussion: "A configuration error prints one line on stderr and exits with code 64 (EX_USAGE).")

    @Option(help: "Node name, unique in the cluster (default: the host name).")
    var name: String?

    @Option(help: ArgumentHelp("Gossip UDP address to bind (default: 0.0.0.0:7720).", valueName: "host:port"))
    var bind: String?

    @Option(help: ArgumentHelp("Gossip address other nodes reach this one at.", valueName: "host:port"))
    var advertise: String?

    @Option(help: ArgumentHelp("Local HTTP endpoint (default: 127.0.0.1:7721).", valueName: "host:port"))
    var http: String?

    @Option(help: ArgumentHelp("Seed gossip address; repeat for several.", valueName: "host:port"))
    var join: [String] = []

    @Option(help: ArgumentHelp("Directory for identity, durable state and the admin token.", valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp("The application version this host runs.", valueName: "x.y.z"))
    var appVersion: String?

    @Option(help: ArgumentHelp("Timing preset.", valueName: "lan|local|wan"))
    var preset: String?

    @Option(help: ArgumentHelp("TOML configuration file (default: $CHORUS_CONFIG).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Cluster authority public key file.", valueName: "file"))
    var authority: String?

    @Option(help: ArgumentHelp("This node's certificate file.", valueName: "file"))
    var certificate: String?

    @Option(help: ArgumentHelp("Development: authority secret key, so the agent issues its own certificate.", valueName: "file"))
    var authorityKey: String?

    @Option(help: ArgumentHelp("Log format.", valueName: "text|json"))
    var logFormat: String?

    @Option(help: ArgumentHelp("Log level.", valueName: "trace|debug|info|notice|warning|error|critical"))
    var logLevel: String?

    func run() async throws {
        let flags = ConfigurationFlags(
            config: config, name: name, bind: bind, advertise: advertise, http: http, join: join,
            dataDir: dataDir, appVersion: appVersion, preset: preset, authority: authority,
            certificate: certificate, authorityKey: authorityKey, logFormat: logFormat, logLevel: logLevel)
        // SIGHUP and `chorus reload` load the file and the environment again, under the same flags.
        let load: @Sendable () throws -> AgentConfiguration = {
            try ConfigurationLoader.load(
                flags: flags, environment: ProcessInfo.processInfo.environment,
                readFile: { try String(contentsOfFile: $0, encoding: .utf8) })
        }
        let configuration: AgentConfiguration
        do {
            configuration = try load()
        } catch {
            FileHandle.standardError.write(Data("chorus agent: \(error)\n".utf8))
            throw ExitCode(64)
        }
        LoggingSetup.bootstrap(format: configuration.logFormat, level: configuration.logLevel)
        try await AgentMain.run(configuration: configuration, reread: load)
    }
}
