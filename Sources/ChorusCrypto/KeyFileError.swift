/// Why a key or certificate file was rejected; `description` is one line an operator can act on.
public struct KeyFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        /// The file could not be read at all (missing, permissions); carries the system's reason.
        case unreadable(String)
        /// The line does not start with the kind's prefix; carries the kind it looks like, if any.
        case wrongPrefix(looksLike: KeyFileKind?)
        case badBase64
        case wrongLength(expected: Int, actual: Int)
        /// Decoded bytes of the right shape that still make no sense (corrupt key, bad certificate).
        case invalidContent(String)
    }

    public var kind: KeyFileKind
    public var problem: Problem
    /// The file the text came from, when it came from a file.
    public var path: String?

    public init(kind: KeyFileKind, problem: Problem, path: String? = nil) {
        self.kind = kind
        self.problem = problem
        self.path = path
    }

    public var description: String {
        let subject = path.map { "\(kind.displayName) file \($0)" } ?? kind.displayName
        switch problem {
        case .unreadable(let reason):
            return "cannot read \(subject): \(reason)"
        case .wrongPrefix(let looksLike):
            let hint = looksLike.map { "; this looks like the \($0.displayName) format" } ?? ""
            return "\(subject) is not in the expected format: it must be one line starting with '\(kind.prefix)'\(hint)"
        case .badBase64:
            return "\(subject) is corrupt: the text after '\(kind.prefix)' is not valid base64"
        case .wrongLength(let expected, let actual):
            return "\(subject) is corrupt: expected \(expected) bytes after decoding, got \(actual)"
        case .invalidContent(let reason):
            return "\(subject) is corrupt: \(reason)"
        }
    }
}
