import Foundation
import Testing
import ChorusTesting

/// deploy/nginx/chorus.conf adapted to a loopback test inside a minimal nginx.conf of the
/// test's own (prefix, pid, temp paths, foreground), changing only what differs per
/// installation: the listen address, the path of the upstream list chorus-nginx-upstreams
/// writes, the agents that serve the maintenance page, and the directory of its static copy.
enum NginxExample {
    static let path = ExternalTool.repositoryRoot.appendingPathComponent("deploy/nginx/chorus.conf")
    static let checkLoop = ExternalTool.repositoryRoot.appendingPathComponent("deploy/nginx/chorus-nginx-upstreams")

    /// Writes nginx.conf, chorus.conf and the maintenance page under `prefix`; returns nginx.conf.
    static func install(in prefix: URL, frontendPort: Int, upstreamList: URL, agentPorts: [Int]) throws -> URL {
        var example = try agentsOnLoopback(try String(contentsOf: path, encoding: .utf8), ports: agentPorts)
        let pages = prefix.appendingPathComponent("pages")
        try FileManager.default.createDirectory(at: pages, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: HAProxyExample.maintenancePage,
                                         to: pages.appendingPathComponent("chorus-maintenance.html"))
        for (shipped, local) in [
            ("listen 80;", "listen 127.0.0.1:\(frontendPort);"),
            ("include /etc/nginx/chorus-upstream.conf;", "include \(upstreamList.path);"),
            ("root /usr/share/nginx/chorus;", "root \(pages.path);"),
        ] {
            try #require(example.contains(shipped), "deploy/nginx/chorus.conf no longer contains '\(shipped)'")
            example = example.replacingOccurrences(of: shipped, with: local)
        }
        let site = prefix.appendingPathComponent("chorus.conf")
        try example.write(to: site, atomically: true, encoding: .utf8)
        let temp = prefix.appendingPathComponent("temp").path
        let main = """
            daemon off;
            user root;
            pid \(prefix.path)/nginx.pid;
            error_log \(prefix.path)/error.log notice;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path \(temp)/body;
                proxy_temp_path \(temp)/proxy;
                fastcgi_temp_path \(temp)/fastcgi;
                uwsgi_temp_path \(temp)/uwsgi;
                scgi_temp_path \(temp)/scgi;
                include \(site.path);
            }
            """
        try FileManager.default.createDirectory(atPath: temp, withIntermediateDirectories: true)
        let configuration = prefix.appendingPathComponent("nginx.conf")
        try main.write(to: configuration, atomically: true, encoding: .utf8)
        return configuration
    }

    /// The example's agent lines (`server HOST:7721;`), the first standing for all, as loopback `ports`.
    static func agentsOnLoopback(_ example: String, ports: [Int]) throws -> String {
        var output: [String] = []
        var agentLines = 0
        for line in example.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let words = line.split(separator: " ")
            guard words.count == 2, words[0] == "server", words[1].hasSuffix(":7721;") else {
                output.append(line)
                continue
            }
            if agentLines == 0 { output += ports.map { "    server 127.0.0.1:\($0);" } }
            agentLines += 1
        }
        try #require(agentLines >= 2, "deploy/nginx/chorus.conf should name every host's agent ('server HOST:7721;')")
        return output.joined(separator: "\n")
    }
}
