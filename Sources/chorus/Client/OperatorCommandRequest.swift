import ArgumentParser
import ChorusAgent
import Foundation

/// Sends one operator command and reports its outcome. Exit codes (SPEC §9): 0 committed,
/// 3 refused by the cluster state (409), 4 no quorum in time (503), 1 other agent error,
/// 2 agent unreachable.
enum OperatorCommandRequest {
    static let refused = ExitCode(3)
    static let noQuorum = ExitCode(4)

    /// A name as one path segment.
    static func escaped(_ name: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name
    }

    static func run(_ method: String, _ path: String, json: Data? = nil, options: ClientOptions, admin: AdminOptions) async throws {
        let client = options.client()
        let (status, body) = try await admin.send(method, path, body: json, timeout: 30, with: client)
        switch status {
        case 200, 202:
            let answer = try client.decode(CommandResponse.self, from: body, path: path)
            print(options.json ? String(decoding: body, as: UTF8.self)
                               : "committed: \(answer.decision) (decision \(answer.slot)); cluster is \(answer.state)")
        case 409:
            _ = client.failure(path, status: status, body: body)
            throw refused
        case 503:
            _ = client.failure(path, status: status, body: body)
            throw noQuorum
        default:
            throw client.failure(path, status: status, body: body)
        }
    }
}
