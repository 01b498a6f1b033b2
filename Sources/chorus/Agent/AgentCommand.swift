import ArgumentParser
import ChorusAgent
import Foundation

/// `chorus agent`: runs the agent in the foreground until SIGTERM or SIGINT.
///
/// Flags are the top configuration layer (flags > `CHORUS_*` environment > `--config` file >
/// defaults); they stay strings here so that every layer is validated by the same code, with a
/// message naming the flag, variable or file key at fault. Each option below but `config` is a
/// top-level setting of `AgentSettings.all`, named as its key in camel case (`dataDir` for
/// `data_dir`), with the table's help; AgentFlagTests checks that the two agree.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the Chorus agent on this host.",
        discussion: "A configuration error prints one line on stderr and exits with code 64 (EX_USAGE).")

    @Option(help: ArgumentHelp("TOML configuration file (default: $CHORUS_CONFIG).", valueName: "file"))
    var config: String?

    @Option(help: .setting("name")) var name: String?
    @Option(help: .setting("bind")) var bind: String?
    @Option(help: .setting("advertise")) var advertise: String?
    @Option(help: .setting("http")) var http: String?
    @Option(help: .setting("join")) var join: [String] = []
    @Option(help: .setting("data_dir")) var dataDir: String?
    @Option(help: .setting("app_version")) var appVersion: String?
    @Option(help: .setting("preset")) var preset: String?
    @Option(help: .setting("authority")) var authority: String?
    @Option(help: .setting("certificate")) var certificate: String?
    @Option(help: .setting("authority_key")) var authorityKey: String?
    @Option(help: .setting("log_format")) var logFormat: String?
    @Option(help: .setting("log_level")) var logLevel: String?

    func run() async throws {
        let flags = ConfigurationFlags(config: config, givenSettings)
        // SIGHUP and `chorus reload` load the file and the environment again, under the same flags.
        let load: @Sendable () throws -> AgentConfiguration = {
            try ConfigurationLoader.load(
                flags: flags, environment: ProcessInfo.processInfo.environment,
                readFile: { try ConfigurationText.read($0) })
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

    /// The setting options given, keyed as in `AgentSettings.all`: read by reflection, so that
    /// a new option needs no line here.
    private var givenSettings: [String: [String]] {
        var given: [String: [String]] = [:]
        for child in Mirror(reflecting: self).children {
            // Property wrappers are stored as `_name`.
            guard let label = child.label?.dropFirst(), label != "config" else { continue }
            let key = label.map { $0.isUppercase ? "_" + $0.lowercased() : String($0) }.joined()
            switch child.value {
            case let option as Option<String?>: given[key] = option.wrappedValue.map { [$0] }
            case let option as Option<[String]>: given[key] = option.wrappedValue.isEmpty ? nil : option.wrappedValue
            default: continue
            }
        }
        return given
    }
}

extension ArgumentHelp {
    /// The help of a setting's flag, from its row in `AgentSettings.all`.
    static func setting(_ key: String) -> ArgumentHelp {
        guard let setting = AgentSettings.byKey[key] else { preconditionFailure("no setting '\(key)' in AgentSettings.all") }
        let repeated = setting.isList ? "; repeat for several" : ""
        let sentence = setting.summary.prefix(1).uppercased() + setting.summary.dropFirst()
        return ArgumentHelp("\(sentence) (default: \(setting.defaultText)\(repeated)).", valueName: setting.syntax)
    }
}
