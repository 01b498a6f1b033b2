/// The configuration given on the command line: the top layer of the merge.
///
/// nil (or an empty `join`) means "not given", so the environment, file or default shows through.
/// Values stay strings here; `ConfigurationLoader` validates every layer alike, so a bad flag and
/// a bad environment variable get the same message, naming where the value came from.
public struct ConfigurationFlags: Sendable, Equatable {
    /// `--config FILE`; when nil, `CHORUS_CONFIG` may name the file.
    public var config: String?
    public var name: String?
    public var bind: String?
    public var advertise: String?
    public var http: String?
    public var join: [String]
    public var dataDir: String?
    public var appVersion: String?
    public var preset: String?
    public var authority: String?
    public var certificate: String?
    public var authorityKey: String?
    public var logFormat: String?
    public var logLevel: String?

    public init(
        config: String? = nil, name: String? = nil, bind: String? = nil, advertise: String? = nil,
        http: String? = nil, join: [String] = [], dataDir: String? = nil, appVersion: String? = nil,
        preset: String? = nil, authority: String? = nil, certificate: String? = nil,
        authorityKey: String? = nil, logFormat: String? = nil, logLevel: String? = nil
    ) {
        self.config = config
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
    }
}
