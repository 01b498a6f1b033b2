import Foundation
import Testing
import ChorusTesting

/// deploy/apache/chorus.conf adapted to a loopback test inside a minimal httpd.conf of the test's
/// own (modules, pid and log paths), changing only what differs per installation: the site's
/// address, the per-node `Use ChorusNode` lines and the members that name them, the agents'
/// members, and the directory of the maintenance pages. Everything else (checks, timings, the
/// maintenance page's path through an agent) is the file as shipped.
enum ApacheExample {
    static let path = ExternalTool.repositoryRoot.appendingPathComponent("deploy/apache/chorus.conf")
    static let includePage = ExternalTool.repositoryRoot.appendingPathComponent("deploy/apache/maintenance.shtml")
    static let modules = ["mpm_event", "authz_core", "alias", "mime", "headers", "include", "macro", "proxy", "proxy_http",
                          "proxy_balancer", "proxy_hcheck", "lbmethod_byrequests", "slotmem_shm"]

    struct Node {
        var name: String
        var relayPort: Int
        var appPort: Int
        var agentPort: Int
    }

    /// Writes httpd.conf, chorus.conf and the maintenance pages under `prefix`; returns httpd.conf.
    static func install(in prefix: URL, frontendPort: Int, nodes: [Node]) throws -> URL {
        let pages = prefix.appendingPathComponent("chorus-maintenance")
        try FileManager.default.createDirectory(at: pages, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: includePage, to: pages.appendingPathComponent("maintenance.shtml"))
        try FileManager.default.copyItem(at: HAProxyExample.maintenancePage, to: pages.appendingPathComponent("maintenance.html"))

        let example = try String(contentsOf: path, encoding: .utf8)
        var output: [String] = []
        var relayMembers = 0, agentMembers = 0, useLines = 0
        for line in example.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let words = line.split(separator: " ")
            if words.first == "Use", words.dropFirst().first == "ChorusNode" {
                // The first example node stands for all.
                if useLines == 0 {
                    for node in nodes {
                        output.append("Use ChorusNode 127.0.0.1:\(node.relayPort) 127.0.0.1:\(node.appPort) 127.0.0.1:\(node.agentPort)")
                    }
                }
                useLines += 1
            } else if words.first == "BalancerMember", words.count >= 2 {
                // Members that are agents (port 7721) or relays; the first of each kind stands for all, options kept.
                let options = words.dropFirst(2).joined(separator: " ")
                let isAgent = words[1].hasSuffix(":7721\"")
                if isAgent ? agentMembers == 0 : relayMembers == 0 {
                    for node in nodes {
                        let port = isAgent ? node.agentPort : node.relayPort
                        output.append("        BalancerMember \"http://127.0.0.1:\(port)\" \(options)")
                    }
                }
                if isAgent { agentMembers += 1 } else { relayMembers += 1 }
            } else {
                output.append(line
                    .replacingOccurrences(of: "<VirtualHost *:80>", with: "<VirtualHost 127.0.0.1:\(frontendPort)>")
                    .replacingOccurrences(of: "/etc/apache2/chorus-maintenance", with: pages.path))
            }
        }
        try #require(useLines >= 2 && relayMembers == useLines && agentMembers == useLines,
                     "deploy/apache/chorus.conf should have one Use ChorusNode line, one relay member and one agent member per host")
        let site = output.joined(separator: "\n")
        try #require(site.contains("<VirtualHost 127.0.0.1:\(frontendPort)>"), "deploy/apache/chorus.conf has no '<VirtualHost *:80>'")
        try #require(site.contains(pages.path), "deploy/apache/chorus.conf no longer names /etc/apache2/chorus-maintenance")
        let siteFile = prefix.appendingPathComponent("chorus.conf")
        try site.write(to: siteFile, atomically: true, encoding: .utf8)

        let moduleDirectory = "/usr/lib/apache2/modules"
        let main = """
            ServerRoot \(prefix.path)
            ServerName localhost
            PidFile \(prefix.path)/httpd.pid
            ErrorLog \(prefix.path)/error.log
            LogLevel warn
            TypesConfig /etc/mime.types
            \(modules.map { "LoadModule \($0)_module \(moduleDirectory)/mod_\($0).so" }.joined(separator: "\n"))
            Listen 127.0.0.1:\(frontendPort)
            Include \(siteFile.path)
            """
        let configuration = prefix.appendingPathComponent("httpd.conf")
        try main.write(to: configuration, atomically: true, encoding: .utf8)
        return configuration
    }
}
