import HTTPTypes
import Hummingbird

/// An error a handler throws to answer with a status and the JSON body `{"error","reason"}` (SPEC §7).
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
        try JSONResponse.make(body, status: status, headers: headers)
    }
}
