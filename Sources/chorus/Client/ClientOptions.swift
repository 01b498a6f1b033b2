import ArgumentParser
import ChorusAgent
import Foundation

/// Options every client command shares: which agent to ask, and whether to print JSON.
struct ClientOptions: ParsableArguments {
    @Option(name: .customLong("http-addr"), help: ArgumentHelp(
        "The agent's local endpoint, HOST:PORT (default: $CHORUS_HTTP_ADDR, else \(Self.defaultAddress)).",
        valueName: "host:port"))
    var httpAddr: String?

    @Flag(help: "Print JSON instead of a human table.")
    var json = false

    static let defaultAddress = "127.0.0.1:7721"

    /// Flag, then `CHORUS_HTTP_ADDR`, then the default; argument-parser has no environment fallback.
    var address: String {
        httpAddr ?? ProcessInfo.processInfo.environment["CHORUS_HTTP_ADDR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? Self.defaultAddress
    }

    func validate() throws {
        do {
            _ = try HostPort(parsing: address)
        } catch {
            throw ValidationError("--http-addr '\(address)' is not HOST:PORT: \(error)")
        }
    }

    func client() -> AgentClient { AgentClient(address: address) }
}
