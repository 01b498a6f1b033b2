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

    func resolvedToken() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let token { return token }
        if tokenFile == nil, let token = environment["CHORUS_TOKEN"], !token.isEmpty { return token }
        if tokenFile == nil, let token = environment["CHORUS_ADMIN_TOKEN"], !token.isEmpty { return token }
        let directory = dataDir ?? environment["CHORUS_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/var/lib/chorus"
        let path = tokenFile ?? directory + "/admin.token"
        guard let data = FileManager.default.contents(atPath: path) else {
            printError("chorus: cannot read the admin token at \(path) (use --data-dir or --token-file)")
            throw AgentClient.agentError
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
