import Hummingbird

/// Answers 403 to a request whose `Host` names anything but an IP address, `localhost`, the
/// name the endpoint was bound to (`--http`) or a name in `[endpoint] allowed_hosts`. A web page the operator visits can point a name
/// of its own at 127.0.0.1 (DNS rebinding) and then read the endpoint as its own origin; the
/// browser still sends that name as `Host`, so the name is what gives it away (issue 15).
/// A request without `Host` (HTTP/1.0, HAProxy's default check) comes from no browser.
struct HostCheckMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    /// Lower-cased names accepted besides IP literals.
    let names: Set<String>

    init(boundHost: String, allowed: [String] = []) {
        var names: Set<String> = Set(["localhost"] + allowed.map { $0.lowercased() })
        if !HostPort.isIPLiteral(boundHost), !boundHost.isEmpty { names.insert(boundHost.lowercased()) }
        self.names = names
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authority = request.head.authority else { return try await next(request, context) }
        let host = Self.hostName(of: authority)
        guard HostPort.isIPLiteral(host) || names.contains(host.lowercased()) || host.lowercased().hasSuffix(".localhost") else {
            throw APIError(.forbidden, error: "host-not-allowed",
                           reason: "Host '\(host)' is not this endpoint's: use an IP address, localhost, or the name it is bound to")
        }
        return try await next(request, context)
    }

    /// The host of a `Host` header, `host[:port]` or `[v6]:port`, without brackets or port;
    /// lenient where `HostPort` is strict, as the header need not carry a port.
    static func hostName(of authority: String) -> String {
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<end])
        }
        if authority.filter({ $0 == ":" }).count == 1, let colon = authority.lastIndex(of: ":") {
            return String(authority[..<colon])
        }
        return authority
    }
}
