import HTTPTypes
import Hummingbird

/// Mutations need `Authorization: Bearer <admin.token>` (SPEC §7). Compared in constant time, so
/// the answer's timing says nothing about how much of a guess was right.
struct AdminAuthorization: Sendable {
    let token: String

    func check(_ request: Request) throws {
        let header = request.headers[.authorization] ?? ""
        let prefix = "Bearer "
        guard header.hasPrefix(prefix) else {
            throw APIError(.unauthorized, error: "unauthorized",
                           reason: "this request changes the cluster: send Authorization: Bearer <token from admin.token in the data directory>",
                           headers: [.wwwAuthenticate: "Bearer"])
        }
        let presented = Array(header.dropFirst(prefix.count).utf8)
        let expected = Array(token.utf8)
        var difference = UInt8(presented.count == expected.count ? 0 : 1)
        for index in 0..<max(presented.count, expected.count) {
            let a = index < presented.count ? presented[index] : 0
            let b = index < expected.count ? expected[index] : 0
            difference |= a ^ b
        }
        guard difference == 0 else {
            throw APIError(.unauthorized, error: "unauthorized", reason: "the bearer token does not match admin.token",
                           headers: [.wwwAuthenticate: "Bearer"])
        }
    }
}
