import Foundation
import Testing

@testable import ChorusAgent

/// deploy/chorus.toml, the example operators copy: it loads with the agent's own loader as shipped
/// and with every optional line switched on (SettingsDocumentationTests checks that it names
/// every key with its default).
@Suite("Example configuration file")
struct ExampleConfigurationTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("deploy/chorus.toml").path

    static func shipped() throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// The second of each pair of `[app]` settings that exclude each other: left off.
    static let alternatives: Set<String> = ["version_file", "health_command"]

    /// The file with every optional setting ("# key = value") switched on, but `alternatives`.
    static func everyOptionOn() throws -> String {
        try shipped().split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard line.hasPrefix("# "), let equals = line.firstRange(of: " = "),
                  case let key = line[line.index(line.startIndex, offsetBy: 2)..<equals.lowerBound],
                  key.allSatisfy({ $0.isLetter || $0 == "_" }), !alternatives.contains(String(key))
            else { return String(line) }
            return String(line.dropFirst(2))
        }.joined(separator: "\n")
    }

    static func load(_ text: String) throws -> AgentConfiguration {
        try ConfigurationLoader.load(flags: ConfigurationFlags(config: "chorus.toml"), environment: [:]) { _ in text }
    }

    @Test func loadsAsShipped() throws {
        let configuration = try Self.load(try Self.shipped())
        #expect(configuration.authority == "/etc/chorus/authority.pub")
        #expect(configuration.certificate == "/etc/chorus/node.cert")
        #expect(configuration.authorityKey == nil, "the development-only secret key must stay commented out")
        #expect(configuration.join.count == 3)
        #expect(configuration.upgradeAutoApprove == false)
        #expect(configuration.upgradeTasksTimeout == .seconds(1800))
        #expect(configuration.clusterFounder == "app-1", "hosts share the join list, so the example names a founder")
    }

    @Test func loadsWithEveryOptionSwitchedOn() throws {
        let configuration = try Self.load(try Self.everyOptionOn())
        #expect(configuration.name == "app-1")
        #expect(configuration.advertise?.description == "10.0.0.1:7720")
        #expect(configuration.appVersion == "1.4.2")
        #expect(configuration.upgradeTasksCommand == "/usr/local/bin/app-upgrade-tasks")
        #expect(configuration.appVersionCommand == "/opt/app/bin/app --version")
        #expect(configuration.appHealthURL == "http://127.0.0.1:8080/health")
        #expect(configuration.eventHooks.map(\.event) == ["upgrade-finished", "*"])
        #expect(configuration.eventsCoalescePeriod == .seconds(1))
        #expect(configuration.endpointAllowedHosts == ["node-1.internal"])
    }
}
