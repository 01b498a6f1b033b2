import ArgumentParser
import Foundation

/// Where a mutating command finds its token (SPEC §7, §9): an operator token from `--token` or
/// `$CHORUS_TOKEN`, else `--token-file`, else `$CHORUS_ADMIN_TOKEN`, else `admin.token` in
/// `--data-dir` (default `$CHORUS_DATA_DIR`, else /var/lib/chorus), the file the agent created
/// 0600 on its first start.
struct AdminOptions: ParsableArguments {
    @Option(help: ArgumentHelp("An operator token ('chorus keys issue-operator'); default $CHORUS_TOKEN.", valueName: "token"))
    var token: String?

    @Option(help: ArgumentHelp("The agent's data directory, holding admin.token.", valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp("A file holding the admin token.", valueName: "file"))
    var tokenFile: String?

    /// Sends a request that needs a token. With no token to be read it goes without one, so
    /// that an agent that is down is exit 2 as for every command (issue 16: it was exit 1,
    /// "cannot read the admin token"); the agent's 401 is then put down to the missing token.
    func send(_ method: String, _ path: String, body: Data? = nil, timeout: Double = 5,
              with client: AgentClient) async throws -> (status: Int, body: Data) {
        let token = resolvedToken()
        let answer = try await client.send(method, path, token: token.value, body: body, timeout: timeout)
        if answer.status == 401, let missing = token.missing {
            printError("chorus: \(missing) (use --token, --data-dir or --token-file); the agent answered 401")
            throw AgentClient.agentError
        }
        return answer
    }

    /// The token, or why there is none.
    private func resolvedToken() -> (value: String?, missing: String?) {
        let environment = ProcessInfo.processInfo.environment
        if let token { return (token, nil) }
        if tokenFile == nil, let token = environment["CHORUS_TOKEN"], !token.isEmpty { return (token, nil) }
        if tokenFile == nil, let token = environment["CHORUS_ADMIN_TOKEN"], !token.isEmpty { return (token, nil) }
        let directory = dataDir ?? environment["CHORUS_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/var/lib/chorus"
        let path = tokenFile ?? directory + "/admin.token"
        guard let data = FileManager.default.contents(atPath: path) else { return (nil, "cannot read the admin token at \(path)") }
        return (String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), nil)
    }
}
