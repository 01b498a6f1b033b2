import ArgumentParser
import ChorusAgent
import ChorusCore
import Foundation

/// `chorus drain` (SPEC §6, §9): take this node out of the load balancer before upgrading it.
struct DrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Take this node out of traffic: its load-balancer check answers 503 'draining' until undrained, also across restarts.")
    @OptionGroup var options: ClientOptions
    @OptionGroup var admin: AdminOptions
    func run() async throws { try await NodeRequest.setServing("/v1/node/drain", options: options, admin: admin) }
}

/// `chorus undrain`: put this node back into traffic.
struct UndrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undrain", abstract: "Put this node back into traffic after a drain.")
    @OptionGroup var options: ClientOptions
    @OptionGroup var admin: AdminOptions
    func run() async throws { try await NodeRequest.setServing("/v1/node/undrain", options: options, admin: admin) }
}

/// `chorus leave`: the agent announces a graceful leave and stops, as on SIGTERM.
struct LeaveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leave",
        abstract: "Leave the cluster gracefully and stop the agent (under systemd, prefer `systemctl stop`, which does the same).")
    @OptionGroup var options: ClientOptions
    @OptionGroup var admin: AdminOptions
    func run() async throws {
        let client = options.client()
        let path = "/v1/leave"
        let (status, body) = try await admin.send("POST", path, with: client)
        guard status == 202 else { throw client.failure(path, status: status, body: body) }
        let answer = try client.decode(LeaveResponse.self, from: body, path: path)
        print(options.json ? String(decoding: body, as: UTF8.self) : "\(answer.node) is leaving the cluster")
    }
}

/// Drain and undrain answer with this node as `/v1/self` shows it.
enum NodeRequest {
    static func setServing(_ path: String, options: ClientOptions, admin: AdminOptions) async throws {
        let client = options.client()
        let (status, body) = try await admin.send("POST", path, with: client)
        guard status == 200 else { throw client.failure(path, status: status, body: body) }
        let node = try client.decode(MemberResponse.self, from: body, path: path)
        print(options.json ? String(decoding: body, as: UTF8.self) : "\(node.name) is \(node.serving.rawValue)")
    }
}
