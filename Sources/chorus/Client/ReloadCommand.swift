import ArgumentParser
import ChorusAgent
import Foundation

/// `chorus reload` (SPEC §2, §9): the agent reads its certificate and configuration again and
/// puts into force what can change live, as SIGHUP does. Exit 0 when reloaded, 1 when the agent
/// refused (nothing changed; the reason is on stderr), 2 when it cannot be reached.
struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Reload the agent's certificate and live settings without a restart (as SIGHUP does).",
        discussion: "After 'chorus keys renew' has rewritten the certificate file, this puts the renewal in use; "
            + "settings that need a restart are listed.")
    @OptionGroup var options: ClientOptions
    @OptionGroup var admin: AdminOptions

    func run() async throws {
        let client = options.client()
        let path = "/v1/reload"
        let (status, body) = try await admin.send("POST", path, with: client)
        guard status == 200 else { throw client.failure(path, status: status, body: body) }
        let answer = try client.decode(ReloadResponse.self, from: body, path: path)
        guard !options.json else {
            print(String(decoding: body, as: UTF8.self))
            return
        }
        print("\(answer.node): certificate \(answer.certificateRenewed ? "renewed" : "unchanged"), expires \(answer.certificateExpiresAt)")
        if !answer.applied.isEmpty { print("applied: \(answer.applied.joined(separator: ", "))") }
        if !answer.needsRestart.isEmpty { print("changed, in force after a restart: \(answer.needsRestart.joined(separator: ", "))") }
    }
}
