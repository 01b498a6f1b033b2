import HTTPTypes
import Hummingbird

/// An error a handler throws to answer with a status and the JSON body `{"error","reason"}`,
/// FleetLock's `{"kind","value"}` on its two paths, or Jira's on /rest/api/2 (SPEC §7; `ErrorResponse.response(to:status:headers:)`).
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let body: ErrorResponse
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, error: String, reason: String, headers: HTTPFields = [:]) {
        self.status = status
        self.body = ErrorResponse(error: error, reason: reason)
        self.headers = headers
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try body.response(to: request, status: status, headers: headers)
    }
}

extension ErrorResponse {
    /// This error in the words of the request's API: `{"error","reason"}` on /v1 (FleetLock's
    /// `{"kind","value"}` on its paths), Jira's
    /// `{"errorMessages": [reason], "errors": {}}` on /rest, whose clients show nothing else.
    func response(to request: Request, status: HTTPResponse.Status, headers: HTTPFields = [:]) throws -> Response {
        if FleetLockRoutes.paths.contains(request.uri.path) {
            return try JSONResponse.make(FleetLockAnswer(kind: error, value: reason), status: status, headers: headers)
        }
        guard request.uri.path.hasPrefix("/rest/") else { return try JSONResponse.make(self, status: status, headers: headers) }
        return try JSONResponse.make(JiraErrorResponse(errorMessages: [reason], errors: [:]), status: status, headers: headers)
    }
}
