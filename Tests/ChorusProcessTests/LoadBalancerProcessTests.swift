import Foundation
import Testing
import ChorusTesting

/// The load-balancer examples run for real, in front of three toy backends (each a
/// `python3 -m http.server` serving a page that names its node) whose agents answer
/// /v1/health/lb and serve the maintenance page (SPEC §6, §10): deploy/haproxy/haproxy.cfg,
/// which checks the agents itself, deploy/nginx/chorus.conf fed by the
/// deploy/nginx/chorus-nginx-upstreams check loop, and deploy/apache/chorus.conf, whose
/// mod_proxy_hcheck checks the agents through its loopback relays.
@Suite(.serialized) struct LoadBalancerProcessTests {
    /// Requests through the balancer per look: with round robin over at most three servers, twelve
    /// requests reach every server that is up several times.
    static let requestsPerLook = 12

    @Test(arguments: LoadBalancer.allCases)
    func drainTakesANodeOutAndAllDrainedServesTheMaintenancePage(_ balancer: LoadBalancer) async throws {
        let setup = try await LoadBalancedCluster.start(balancer, label: "lb-drain")
        defer { setup.stop() }
        let all: Set<String> = ["node-1", "node-2", "node-3"]

        await setup.expectEventually(LoadBalancedCluster.served(by: all), "traffic did not reach every backend")

        #expect(try await setup.cluster.agents[1].mutate("POST", "/v1/node/drain") == 200)
        await setup.expectEventually(LoadBalancedCluster.served(by: ["node-1", "node-3"]),
                                     "\(balancer) still sends to the drained node-2, or not to the others")

        for agent in [setup.cluster.agents[0], setup.cluster.agents[2]] {
            #expect(try await agent.mutate("POST", "/v1/node/drain") == 200)
        }
        await setup.expectEventually(LoadBalancedCluster.maintenancePage,
                                     "every node drained, but \(balancer) does not serve the maintenance page")

        for agent in setup.cluster.agents {
            #expect(try await agent.mutate("POST", "/v1/node/undrain") == 200)
        }
        await setup.expectEventually(LoadBalancedCluster.served(by: all), "undrained, traffic did not reach every backend again")
    }

    /// The operator's message reaches end users through each balancer; with no agent left to
    /// serve the page, the balancer's static copy stands in.
    @Test(arguments: LoadBalancer.allCases)
    func maintenanceShowsTheOperatorsMessageOffRestoresTrafficAndNoAgentLeavesTheStaticPage(_ balancer: LoadBalancer) async throws {
        let setup = try await LoadBalancedCluster.start(balancer, label: "lb-maintenance")
        defer { setup.stop() }
        let all: Set<String> = ["node-1", "node-2", "node-3"]
        await setup.expectEventually(LoadBalancedCluster.served(by: all), "traffic did not reach every backend")

        // Maintenance is cluster-wide: asked at one agent, every agent's check turns 503.
        #expect(try setup.cluster.agents[2].runClient(["maintenance", "on", "--message", "backup until 14:00"]) == 0)
        await setup.expectEventually(LoadBalancedCluster.maintenancePage(saying: "backup until 14:00"),
                                     "maintenance on, but \(balancer) does not serve the page with the operator's message")
        // The agents' endpoints stay reachable for administrators meanwhile.
        #expect(await setup.cluster.agents[0].status(of: "/v1/cluster") == 200)

        #expect(try setup.cluster.agents[0].runClient(["maintenance", "off"]) == 0)
        await setup.expectEventually(LoadBalancedCluster.served(by: all), "maintenance off, traffic did not reach every backend")

        // Every host's agent gone (their checks fail too): only the static copy can answer.
        for agent in setup.cluster.agents { agent.kill(SIGKILL) }
        await setup.expectEventually(LoadBalancedCluster.maintenancePage,
                                     "no agent answers, but \(balancer) does not serve its static maintenance page")
    }
}

enum LoadBalancer: String, CustomStringConvertible, CaseIterable, Sendable {
    case haproxy, nginx, apache
    var description: String { rawValue }
}

/// The load-balanced setup of these tests: a `ProcessCluster` of three, a toy backend per node,
/// and the balancer's example configuration with loopback addresses.
struct LoadBalancedCluster {
    let cluster: ProcessCluster
    let backends: [BackgroundProcess]
    /// The balancer, and for nginx the check loop beside it.
    let proxies: [BackgroundProcess]
    let frontendPort: Int

    static func start(_ balancer: LoadBalancer, label: String) async throws -> LoadBalancedCluster {
        let python = try ExternalTool.require("python3", package: "python3")
        let cluster = try ProcessCluster(count: 3, label: label)
        var started: [BackgroundProcess] = []
        do {
            try await cluster.startServing()
            for (index, agent) in cluster.agents.enumerated() {
                let root = cluster.workspace.appendingPathComponent("www-\(agent.name)")
                try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
                try "backend \(agent.name)\n".write(to: root.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
                started.append(try BackgroundProcess(
                    python, ["-m", "http.server", String(cluster.base + 100 + index), "--bind", "127.0.0.1", "--directory", root.path],
                    log: cluster.workspace.appendingPathComponent("backend-\(agent.name).log")))
            }
            let backends = started
            let frontendPort = cluster.base + 110
            let proxies = switch balancer {
            case .haproxy: try await startHAProxy(cluster, frontendPort: frontendPort)
            case .nginx: try await startNginx(cluster, frontendPort: frontendPort, started: &started)
            case .apache: try await startApache(cluster, frontendPort: frontendPort)
            }
            return LoadBalancedCluster(cluster: cluster, backends: backends, proxies: proxies, frontendPort: frontendPort)
        } catch {
            for process in started { process.stop() }
            cluster.stop()
            throw error
        }
    }

    private static func startHAProxy(_ cluster: ProcessCluster, frontendPort: Int) async throws -> [BackgroundProcess] {
        let haproxy = try ExternalTool.require("haproxy", package: "haproxy")
        let configuration = cluster.workspace.appendingPathComponent("haproxy.cfg")
        try HAProxyExample.configuration(
            frontendPort: frontendPort,
            servers: cluster.agents.enumerated().map { ($1.name, cluster.base + 100 + $0, $1.httpPort) }
        ).write(to: configuration, atomically: true, encoding: .utf8)
        let check = try await ExternalTool.run(haproxy, ["-c", "-f", configuration.path])
        try #require(check.status == 0, "haproxy -c rejects the configuration: \(check.output)")
        // -db: stay in the foreground, so the test owns the process.
        return [try BackgroundProcess(haproxy, ["-db", "-f", configuration.path],
                                      log: cluster.workspace.appendingPathComponent("haproxy.log"))]
    }

    /// nginx and its check loop, started as docs/operations.md says: the loop once (so the
    /// upstream list exists), nginx, then the loop for good, reloading nginx on every change.
    private static func startNginx(_ cluster: ProcessCluster, frontendPort: Int,
                                   started: inout [BackgroundProcess]) async throws -> [BackgroundProcess] {
        let nginx = try ExternalTool.require("nginx", package: "nginx")
        _ = try ExternalTool.require("curl", package: "curl")
        let prefix = cluster.workspace.appendingPathComponent("nginx")
        try FileManager.default.createDirectory(at: prefix, withIntermediateDirectories: true)
        let upstreamList = prefix.appendingPathComponent("chorus-upstream.conf")
        let configuration = try NginxExample.install(in: prefix, frontendPort: frontendPort, upstreamList: upstreamList,
                                                     agentPorts: cluster.agents.map(\.httpPort))
        let nodes = cluster.agents.enumerated().map { index, agent in
            "\(agent.name)=127.0.0.1:\(cluster.base + 100 + index)=127.0.0.1:\(agent.httpPort)"
        }
        let reload = "\(nginx.path) -p \(prefix.path) -c \(configuration.path) -s reload"
        let sh = URL(fileURLWithPath: "/bin/sh")
        let once = try await ExternalTool.run(sh, [NginxExample.checkLoop.path, "--once", "--output", upstreamList.path,
                                                   "--reload", "true"] + nodes)
        try #require(once.status == 0, "chorus-nginx-upstreams --once failed: \(once.output)")
        let test = try await ExternalTool.run(nginx, ["-t", "-p", prefix.path, "-c", configuration.path])
        try #require(test.status == 0, "nginx -t rejects the configuration: \(test.output)")
        let server = try BackgroundProcess(nginx, ["-p", prefix.path, "-c", configuration.path],
                                           log: cluster.workspace.appendingPathComponent("nginx.log"))
        started.append(server)
        let loop = try BackgroundProcess(sh, [NginxExample.checkLoop.path, "--interval", "1", "--output", upstreamList.path,
                                              "--reload", reload] + nodes,
                                         log: cluster.workspace.appendingPathComponent("chorus-nginx-upstreams.log"))
        started.append(loop)
        return [loop, server]
    }

    /// Apache httpd with its own configuration, in the foreground (-DFOREGROUND), so the test owns
    /// the process; its relays take the ports after the backends'. Started through
    /// `env --default-signal`: the test process spawns it with most signals blocked, and Apache,
    /// unlike HAProxy and nginx, keeps that mask, so it ignored SIGTERM, was killed, and left its
    /// children running.
    private static func startApache(_ cluster: ProcessCluster, frontendPort: Int) async throws -> [BackgroundProcess] {
        let apache = try ExternalTool.require("apache2", package: "apache2")
        let env = try ExternalTool.require("env", package: "coreutils")
        let prefix = cluster.workspace.appendingPathComponent("apache")
        try FileManager.default.createDirectory(at: prefix, withIntermediateDirectories: true)
        let nodes = cluster.agents.enumerated().map { index, agent in
            ApacheExample.Node(name: agent.name, relayPort: cluster.base + 120 + index, appPort: cluster.base + 100 + index,
                               agentPort: agent.httpPort)
        }
        let configuration = try ApacheExample.install(in: prefix, frontendPort: frontendPort, nodes: nodes)
        let test = try await ExternalTool.run(apache, ["-t", "-f", configuration.path])
        try #require(test.status == 0, "apache2 -t rejects the configuration: \(test.output)")
        return [try BackgroundProcess(env, ["--default-signal", apache.path, "-f", configuration.path, "-DFOREGROUND"],
                                      log: prefix.appendingPathComponent("apache.log"))]
    }

    func stop() {
        for proxy in proxies { proxy.stop() }
        for backend in backends { backend.stop() }
        cluster.stop()
    }

    /// What `requestsPerLook` requests through the balancer got: "200 node-1", "503 maintenance-page"
    /// (general words), "503 maintenance-page: MESSAGE" (the operator's message as the page shows
    /// it, HTML-escaped), "no answer", with counts.
    func look() async -> [String: Int] {
        var seen: [String: Int] = [:]
        for _ in 0..<LoadBalancerProcessTests.requestsPerLook {
            let answer = await fetch("http://127.0.0.1:\(frontendPort)/")
            let key: String
            switch answer {
            case nil: key = "no answer"
            case let (status, body)? where body.contains(#"id="chorus-maintenance""#):
                key = "\(status) maintenance-page" + (Self.maintenanceMessage(in: body).map { ": \($0)" } ?? "")
            case let (status, body)? where body.hasPrefix("backend "):
                key = "\(status) " + body.dropFirst("backend ".count).trimmingCharacters(in: .whitespacesAndNewlines)
            case let (status, body)?: key = "\(status) other: \(body.prefix(80))"
            }
            seen[key, default: 0] += 1
        }
        return seen
    }

    /// The answers a look gets when exactly `nodes` take traffic.
    static func served(by nodes: Set<String>) -> Set<String> { Set(nodes.map { "200 \($0)" }) }
    /// The answers a look gets when no node may take traffic and the page has no message.
    static let maintenancePage: Set<String> = ["503 maintenance-page"]
    /// The answers a look gets when no node may take traffic, in maintenance with `message`.
    static func maintenancePage(saying message: String) -> Set<String> { ["503 maintenance-page: \(message)"] }

    /// The operator's message on a maintenance page: the text of its `chorus-maintenance-message`
    /// paragraph, nil when the page has none.
    static func maintenanceMessage(in page: String) -> String? {
        guard let start = page.range(of: #"<p id="chorus-maintenance-message">"#),
              let end = page.range(of: "</p>", range: start.upperBound..<page.endIndex) else { return nil }
        return String(page[start.upperBound..<end.lowerBound])
    }

    /// Polls until one look gets exactly `answers`; records an issue with the last look if not
    /// within 30 s (HAProxy and Apache need fall × interval = 4 s to take a server out, rise ×
    /// interval to bring it back; the nginx check loop 1 s plus a reload).
    func expectEventually(_ answers: Set<String>, _ why: String, sourceLocation: SourceLocation = #_sourceLocation) async {
        var last: [String: Int] = [:]
        let reached = await eventually(within: .seconds(30)) {
            last = await look()
            return Set(last.keys) == answers
        }
        #expect(reached != nil, "\(why); last look: \(last)", sourceLocation: sourceLocation)
    }
}
