import Hummingbird

/// One endpoint of the local API: method, path pattern and handler.
///
/// Routes are kept as a table, not only registered on the router, so the error middleware can
/// tell an unknown path (404) from a known path asked with the wrong method (405).
struct HTTPRoute: Sendable {
    let method: HTTPRequest.Method
    let path: RouterPath
    let handler: @Sendable (Request, BasicRequestContext) async throws -> Response

    init(
        _ method: HTTPRequest.Method, _ path: RouterPath,
        handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response
    ) {
        self.method = method
        self.path = path
        self.handler = handler
    }

    /// Uses the router's own segment matching, so captures (`:name`) and wildcards agree with it.
    func matches(path requestPath: String) -> Bool {
        let segments = requestPath.split(separator: "/")
        return segments.count == path.components.count && zip(path.components, segments).allSatisfy { $0 ~= $1 }
    }
}
