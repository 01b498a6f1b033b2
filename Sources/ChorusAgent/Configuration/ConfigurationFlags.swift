/// The configuration given on the command line: the top layer of the merge.
///
/// Values stay text here, keyed by the setting's file key (`data_dir`); `ConfigurationLoader`
/// validates every layer alike, so a bad flag and a bad environment variable get the same
/// message, naming where the value came from. A key absent, or an empty list: not given.
public struct ConfigurationFlags: Sendable, Equatable {
    /// `--config FILE`; when nil, `CHORUS_CONFIG` may name the file.
    public var config: String?
    public var values: [String: [String]]

    public init(config: String? = nil, _ values: [String: [String]] = [:]) {
        self.config = config
        self.values = values
    }
}
