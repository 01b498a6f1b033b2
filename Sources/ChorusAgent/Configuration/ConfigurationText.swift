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
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ReadError(description: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(description: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
            guard bytes.count <= maximumBytes else { throw ReadError(description: "larger than 1 MiB") }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw ReadError(description: "not UTF-8 text") }
        return text
    }
}
