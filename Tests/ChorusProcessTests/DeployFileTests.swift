import ChorusAgent
import Foundation
import Testing
import ChorusTesting

/// The deploy files that cannot run here (no systemd as PID 1, no Docker engine, no Kubernetes)
/// checked statically: systemd's own verifier, YAML parsed by PyYAML, and the wiring between
/// the pieces (names, paths, probes) that a typo would break. deploy/haproxy, deploy/nginx and
/// deploy/apache run for real in LoadBalancerProcessTests.
@Suite struct DeployFileTests {
    static func deploy(_ path: String) -> URL { ExternalTool.repositoryRoot.appendingPathComponent("deploy/\(path)") }

    @Test func systemdUnitPassesSystemdAnalyzeVerifyAndIsHardened() async throws {
        let verifier = try ExternalTool.require("systemd-analyze", package: "systemd")
        let unit = try String(contentsOf: Self.deploy("systemd/chorus.service"), encoding: .utf8)
        for setting in ["DynamicUser=yes", "User=chorus", "StateDirectory=chorus", "ProtectSystem=strict", "NoNewPrivileges=yes",
                        "Restart=on-failure", "KillSignal=SIGTERM", "ExecReload=/bin/kill -HUP $MAINPID", "CapabilityBoundingSet=\n", "PrivateTmp=yes", "ProtectHome=yes"] {
            #expect(unit.contains(setting), "chorus.service lacks \(setting)")
        }
        // verify checks that ExecStart's binary exists: point it at the one just built.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("chorus.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/chorus", with: AgentProcess.binary.path)
            .write(to: copy, atomically: true, encoding: .utf8)
        let result = try await ExternalTool.run(verifier, ["verify", copy.path])
        #expect(result.status == 0, "systemd-analyze verify failed: \(result.output)")
        // It exits 0 on unknown keys and misplaced settings too; those lines name the unit.
        let complaints = result.output.split(separator: "\n").filter { $0.contains("chorus.service") }
        #expect(complaints.isEmpty, "systemd-analyze verify complains: \(complaints)")
    }

    @Test func kubernetesManifestWiresConfigSecretsAndReadinessOnTheLoadBalancerCheck() async throws {
        let documents = try await yamlDocuments(Self.deploy("kubernetes/chorus.yaml"))
        let configMap = try #require(documents.first { $0["kind"] as? String == "ConfigMap" })
        let daemonSet = try #require(documents.first { $0["kind"] as? String == "DaemonSet" })
        let pod = try #require(((daemonSet["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any])
        #expect(pod["hostNetwork"] as? Bool == true)
        let agent = try #require((pod["containers"] as? [[String: Any]])?.first)
        let readiness = (agent["readinessProbe"] as? [String: Any])?["httpGet"] as? [String: Any]
        #expect(readiness?["path"] as? String == "/v1/health/lb")
        #expect(readiness?["port"] as? Int == 7721)

        let volumes = try #require(pod["volumes"] as? [[String: Any]])
        let configMapName = (configMap["metadata"] as? [String: Any])?["name"] as? String
        #expect(volumes.contains { ($0["configMap"] as? [String: Any])?["name"] as? String == configMapName })
        let secrets = Set(volumes.compactMap { ($0["secret"] as? [String: Any])?["secretName"] as? String })
        #expect(secrets == ["chorus-authority", "chorus-node-certificates"])
        let mounts = Set((agent["volumeMounts"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
        #expect(mounts == Set(volumes.compactMap { $0["name"] as? String }), "every volume mounted by the agent, and no other")

        // The ConfigMap's file loads with the agent's loader, with the DaemonSet's per-node settings.
        let file = try #require((configMap["data"] as? [String: Any])?["chorus.toml"] as? String)
        let configuration = try ConfigurationLoader.load(
            flags: ConfigurationFlags(config: "chorus.toml"),
            environment: ["CHORUS_NAME": "worker-1", "CHORUS_CERTIFICATE": "/etc/chorus/certificates/worker-1.cert"]) { _ in file }
        #expect(configuration.http.description == "0.0.0.0:7721", "the kubelet probes the node address, not loopback")
        #expect(configuration.authority == "/etc/chorus/authority/authority.pub")
        #expect(configuration.clusterFounder != nil, "every agent shares the join list, so one must be named founder")
    }

    @Test func composeFileRunsThreeNodesThatJoinEachOtherWithTheirOwnData() async throws {
        let compose = try #require(try await yamlDocuments(Self.deploy("docker/compose.yaml")).first)
        let services = try #require(compose["services"] as? [String: [String: Any]])
        let nodes = services.keys.filter { $0.hasPrefix("node") }.sorted()
        #expect(nodes == ["node1", "node2", "node3"])
        for node in nodes {
            let service = services[node] ?? [:]
            let environment = service["environment"] as? [String: Any] ?? [:]
            #expect(environment["CHORUS_NAME"] as? String == node)
            let join = (environment["CHORUS_JOIN"] as? String ?? "").split(separator: ",").map(String.init)
            #expect(Set(join) == Set(nodes.map { "\($0):7720" }))
            // A shared join list needs one founder, or no node would found the cluster.
            #expect(environment["CHORUS_CLUSTER_FOUNDER"] as? String == "node1")
            #expect((service["volumes"] as? [String])?.contains("\(node):/var/lib/chorus") == true, "\(node) keeps its own data")
            #expect((service["build"] as? [String: Any])?["dockerfile"] as? String == "deploy/docker/Dockerfile")
        }
    }

    @Test func dockerfileBuildsAStaticReleaseBinaryFromFilesThatExist() throws {
        let dockerfile = try String(contentsOf: Self.deploy("docker/Dockerfile"), encoding: .utf8)
        #expect(dockerfile.contains("swift build -c release --static-swift-stdlib"))
        #expect(dockerfile.contains("libsodium-dev") && dockerfile.contains("libsodium23"), "libsodium to build and to run")
        #expect(dockerfile.contains("STOPSIGNAL SIGTERM"))
        // COPY sources are relative to the build context, the repository root.
        for line in dockerfile.split(separator: "\n") where line.hasPrefix("COPY ") && !line.contains("--from=") {
            let sources = line.split(separator: " ").dropFirst().dropLast()
            for source in sources {
                #expect(FileManager.default.fileExists(atPath: ExternalTool.repositoryRoot.appendingPathComponent(String(source)).path),
                        "the Dockerfile copies \(source), which is not in the repository")
            }
        }
    }

    /// Every document of a YAML file, parsed by PyYAML (Debian's python3-yaml), as JSON objects.
    func yamlDocuments(_ file: URL) async throws -> [[String: Any]] {
        // Debian's interpreter, which python3-yaml installs into, ahead of any other on PATH.
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
            ? URL(fileURLWithPath: "/usr/bin/python3") : try ExternalTool.require("python3", package: "python3-yaml")
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-yaml-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: json) }
        let script = "import json, sys, yaml; json.dump(list(yaml.safe_load_all(open(sys.argv[1]))), open(sys.argv[2], 'w'))"
        let result = try await ExternalTool.run(python, ["-c", script, file.path, json.path])
        try #require(result.status == 0, "PyYAML cannot parse \(file.lastPathComponent): \(result.output)")
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [[String: Any]])
    }
}
