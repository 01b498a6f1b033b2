/// A configuration the agent refuses to start with. The message names the source (flag,
/// environment variable or file) and the key, so the operator knows which layer to fix.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
