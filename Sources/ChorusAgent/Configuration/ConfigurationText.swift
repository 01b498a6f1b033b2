import Glibc

/// Reads a `--config` file's text by reading until the end, not by its size, so what operators
/// pass besides a regular file works too: `/dev/null` (no file, the defaults), a pipe or a
/// process substitution (`--config <(envsubst < chorus.toml.in)`). Foundation's
/// `String(contentsOfFile:)` refused `/dev/null` with "You don't have permission".
public enum ConfigurationText {
    public struct ReadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// A larger configuration is a mistake (a wrong path), not something to hold in memory.
    static let maximumBytes = 1 << 20

    public static func read(_ path: String) throws(ReadError) -> String {
        let bytes: [UInt8]?
        do {
            bytes = try DurableFile.read(path, atMost: maximumBytes)
        } catch {
            throw ReadError(description: error.errorNumber == EFBIG ? "larger than 1 MiB" : String(cString: strerror(error.errorNumber)))
        }
        guard let bytes else { throw ReadError(description: String(cString: strerror(ENOENT))) }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw ReadError(description: "not UTF-8 text") }
        return text
    }
}
