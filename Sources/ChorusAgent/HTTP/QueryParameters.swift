import Hummingbird

/// Query parameters read strictly: a value that is not what the endpoint documents is a 400 that
/// says so, never a silent default (schemathesis sent `limit=null` and `follow=AAA`; both were
/// served as if absent).
enum QueryParameters {
    /// A non-negative integer, `defaultValue` when the parameter is absent; one past the type's
    /// range is its largest value (a page or a slot that far away is empty).
    static func count<T: FixedWidthInteger & UnsignedInteger>(_ name: String, in request: Request, default defaultValue: T) throws -> T {
        guard let text = request.uri.queryParameters.get(name) else { return defaultValue }
        let digits = !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber }
        guard let value = T(text) ?? (digits ? T.max : nil) else {
            throw APIError(.badRequest, error: "invalid-request", reason: "\(name) must be a whole number from 0 to \(T.max), not '\(text)'")
        }
        return value
    }

    /// `true` or `false`, `defaultValue` when the parameter is absent.
    static func flag(_ name: String, in request: Request, default defaultValue: Bool) throws -> Bool {
        guard let text = request.uri.queryParameters.get(name) else { return defaultValue }
        guard let value = Bool(text) else {
            throw APIError(.badRequest, error: "invalid-request", reason: "\(name) must be true or false, not '\(text)'")
        }
        return value
    }
}
