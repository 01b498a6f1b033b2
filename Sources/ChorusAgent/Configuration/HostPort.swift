import NIOCore

/// A "HOST:PORT" address as operators write it: `10.0.0.1:7720`, `[::1]:7720` or `node-1.lan:7720`.
///
/// Parsed once, at configuration time, so a malformed address stops the agent with a message
/// instead of failing later inside a bind or a join attempt.
public struct HostPort: Sendable, Equatable, CustomStringConvertible {
    /// The host without brackets: an IPv4 or IPv6 literal, or a DNS name still to be resolved.
    public var host: String
    /// 0...65535; 0 asks the system for a free port when binding.
    public var port: Int

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Why a text is not a valid HOST:PORT.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init(parsing text: String) throws(ParseError) {
        let (host, portText) = try Self.split(text)
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
            let port = Int(portText), port <= 65535
        else { throw ParseError(reason: "port '\(portText)' is not a number in 0...65535") }
        self.host = host
        self.port = port
    }

    private static func split(_ text: String) throws(ParseError) -> (host: String, port: Substring) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw ParseError(reason: "missing ']' after IPv6 address") }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw ParseError(reason: "missing ':PORT' after ']'") }
            guard host.contains(":"), isIPLiteral(host) else {
                throw ParseError(reason: "'\(host)' in brackets is not an IPv6 address")
            }
            return (host, rest.dropFirst())
        }
        guard let colon = text.lastIndex(of: ":") else { throw ParseError(reason: "missing ':PORT'") }
        let host = String(text[..<colon])
        if host.contains(":") { throw ParseError(reason: "IPv6 addresses must be in brackets, e.g. [::1]:7720") }
        try validateHost(host)
        return (host, text[text.index(after: colon)...])
    }

    /// IPv4 literals must be valid; anything else must be a well-formed DNS name (RFC 1123,
    /// with underscores allowed because container runtimes hand them out).
    private static func validateHost(_ host: String) throws(ParseError) {
        guard !host.isEmpty else { throw ParseError(reason: "missing host before ':PORT'") }
        if host.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
            guard isIPLiteral(host) else { throw ParseError(reason: "'\(host)' is not a valid IPv4 address") }
            return
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        let isValid = host.utf8.count <= 253 && labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }
        guard isValid else { throw ParseError(reason: "'\(host)' is not a valid host name or IP address") }
    }

    /// An IPv4 or IPv6 address without brackets, as opposed to a name.
    static func isIPLiteral(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
