import Foundation
import Hummingbird

/// Path parameters as the client meant them: Hummingbird hands a segment over still
/// percent-encoded, so `chorus operators revoke "ana maria"` (sent as `ana%20maria`) would
/// otherwise revoke a name nobody holds, and `%01` would slip a control character past the
/// name rules as three harmless characters.
enum PathParameters {
    static func decoded(_ name: String, in context: some RequestContext) throws -> String {
        let raw = try context.parameters.require(name)
        guard let value = raw.removingPercentEncoding else {
            throw APIError(.badRequest, error: "invalid-request", reason: "\(name) is not valid percent-encoded UTF-8")
        }
        return value
    }
}
