import Foundation
import Testing

/// deploy/haproxy/haproxy.cfg adapted to a loopback test, changing only what differs per
/// installation: the frontend's bind address, the server lines (application and agent ports)
/// and the maintenance page's path. Everything else (checks, timings, the maintenance backend)
/// is the file as shipped, so the test exercises what operators copy.
enum HAProxyExample {
    static let path = ExternalTool.repositoryRoot.appendingPathComponent("deploy/haproxy/haproxy.cfg")
    static let maintenancePage = ExternalTool.repositoryRoot.appendingPathComponent("deploy/maintenance.html")

    static func configuration(frontendPort: Int, servers: [(name: String, appPort: Int, agentPort: Int)]) throws -> String {
        let example = try String(contentsOf: path, encoding: .utf8)
        var output: [String] = []
        var exampleServers: [String] = []
        var replacedBind = false
        for line in example.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let words = line.split(separator: " ")
            if words.first == "bind", words.count == 2 {
                output.append("    bind 127.0.0.1:\(frontendPort)")
                replacedBind = true
            } else if words.first == "server" {
                // The first example server line stands for all: its options, with the agent port swapped.
                if exampleServers.isEmpty {
                    let options = words.dropFirst(3).joined(separator: " ")
                    for server in servers {
                        let checked = options.replacingOccurrences(of: "port 7721", with: "port \(server.agentPort)")
                        output.append("    server \(server.name) 127.0.0.1:\(server.appPort) \(checked)")
                    }
                }
                exampleServers.append(line)
            } else {
                output.append(line.replacingOccurrences(of: "/etc/haproxy/chorus-maintenance.html", with: maintenancePage.path))
            }
        }
        try #require(replacedBind, "deploy/haproxy/haproxy.cfg has no 'bind ADDRESS' line")
        try #require(exampleServers.count >= 2, "deploy/haproxy/haproxy.cfg has fewer than two server lines")
        try #require(exampleServers.allSatisfy { $0.contains("check port 7721") },
                     "every server line should check its agent: 'check port 7721'")
        let result = output.joined(separator: "\n")
        try #require(result.contains(maintenancePage.path), "the maintenance page path was not found in the example")
        return result
    }
}
