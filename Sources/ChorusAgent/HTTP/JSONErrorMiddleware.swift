import HTTPTypes
import Hummingbird
import Logging

/// Turns every error into a JSON `{"error","reason"}` response (Jira's shape on /rest), so Hummingbird's own error bodies
/// (plain or `{"error":{"message"}}`) never reach a client, and answers 405 with `Allow` when the
/// path exists under another method.
///
/// Installed on the router before any route, so it wraps the routes and the not-found responder alike.
struct JSONErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    let routes: [HTTPRoute]
    let logger: Logger

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as StorageFailure {
            return try APIError(Self.insufficientStorage, error: "storage-failed",
                                reason: "this agent cannot store its protocol state, so it did nothing: \(error)")
                .response(from: request, context: context)
        } catch let error as HTTPError where error.status == .notFound {
            return try notFound(request, reason: error.body)
        } catch let error as HTTPError {
            let code = error.status.reasonPhrase.lowercased().split(separator: " ").joined(separator: "-")
            return try APIError(error.status, error: code, reason: error.body ?? error.status.reasonPhrase, headers: error.headers)
                .response(from: request, context: context)
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return try ErrorResponse(error: "internal", reason: "\(error)").response(to: request, status: .internalServerError)
        }
    }

    /// A command that could not be made durable here (a full disk, no descriptors; RFC 4918).
    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")

    /// The router says 404 both for unknown paths and for known paths under another method.
    private func notFound(_ request: Request, reason: String?) throws -> Response {
        let path = request.uri.path
        var allowed = routes.filter { $0.matches(path: path) }.map(\.method)
        if allowed.contains(.get) { allowed.append(.head) }
        guard !allowed.isEmpty, !allowed.contains(request.method) else {
            return try ErrorResponse(error: "not-found", reason: reason ?? "no route for \(request.method) \(path)")
                .response(to: request, status: .notFound)
        }
        let methods = allowed.map(\.rawValue).joined(separator: ", ")
        return try ErrorResponse(error: "method-not-allowed", reason: "\(request.method) is not allowed on \(path); use \(methods)")
            .response(to: request, status: .methodNotAllowed, headers: [.allow: methods])
    }
}
