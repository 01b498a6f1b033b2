import Foundation
import Testing
import ChorusTesting

/// deploy/haproxy/haproxy.cfg adapted to a loopback test, changing only what differs per
/// installation: the frontend's bind address, the server lines (the application's servers with
/// their agents' check ports, and the agents that serve the maintenance page) and the static
/// maintenance page's path. Everything else (checks, timings, the maintenance backend) is the
/// file as shipped, so the test exercises what operators copy.
enum HAProxyExample {
    static let path = ExternalTool.repositoryRoot.appendingPathComponent("deploy/haproxy/haproxy.cfg")
    static let maintenancePage = ExternalTool.repositoryRoot.appendingPathComponent("deploy/maintenance.html")

    static func configuration(frontendPort: Int, servers: [(name: String, appPort: Int, agentPort: Int)]) throws -> String {
        let example = try String(contentsOf: path, encoding: .utf8)
        var output: [String] = []
        var applicationServers: [String] = []
        var agentServers: [String] = []
        var replacedBind = false
        for line in example.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let words = line.split(separator: " ")
            if words.first == "bind", words.count == 2 {
                output.append("    bind 127.0.0.1:\(frontendPort)")
                replacedBind = true
            } else if words.first == "server", words.count >= 3 {
                // Servers that are agents (port 7721) or applications; the first of each kind
                // stands for all: its options, with the agent port swapped.
                let isAgent = words[2].hasSuffix(":7721")
                if isAgent ? agentServers.isEmpty : applicationServers.isEmpty {
                    let options = words.dropFirst(3).joined(separator: " ")
                    for server in servers {
                        let checked = options.replacingOccurrences(of: "port 7721", with: "port \(server.agentPort)")
                        output.append("    server \(server.name) 127.0.0.1:\(isAgent ? server.agentPort : server.appPort) \(checked)")
                    }
                }
                if isAgent { agentServers.append(line) } else { applicationServers.append(line) }
            } else {
                output.append(line.replacingOccurrences(of: "/etc/haproxy/chorus-maintenance.html", with: maintenancePage.path))
            }
        }
        try #require(replacedBind, "deploy/haproxy/haproxy.cfg has no 'bind ADDRESS' line")
        try #require(applicationServers.count >= 2, "deploy/haproxy/haproxy.cfg has fewer than two application server lines")
        try #require(applicationServers.allSatisfy { $0.contains("check port 7721") },
                     "every application server line should check its agent: 'check port 7721'")
        try #require(agentServers.count == applicationServers.count,
                     "deploy/haproxy/haproxy.cfg should name one agent per host for the maintenance page")
        let result = output.joined(separator: "\n")
        try #require(result.contains(maintenancePage.path), "the maintenance page path was not found in the example")
        return result
    }
}
