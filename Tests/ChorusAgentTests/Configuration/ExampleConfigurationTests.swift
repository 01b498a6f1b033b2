import Foundation
import Testing

@testable import ChorusAgent

/// deploy/chorus.toml, the example operators copy: it names every key the agent reads, and it
/// loads with the agent's own loader as shipped and with every optional line switched on.
@Suite("Example configuration file")
struct ExampleConfigurationTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("deploy/chorus.toml").path

    static func shipped() throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// The file with every optional setting ("# key = value") switched on.
    static func everyOptionOn() throws -> String {
        try shipped().split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard line.hasPrefix("# "), let equals = line.firstRange(of: " = "),
                  line[line.index(line.startIndex, offsetBy: 2)..<equals.lowerBound].allSatisfy({ $0.isLetter || $0 == "_" })
            else { return String(line) }
            return String(line.dropFirst(2))
        }.joined(separator: "\n")
    }

    static func load(_ text: String) throws -> AgentConfiguration {
        try ConfigurationLoader.load(flags: ConfigurationFlags(config: "chorus.toml"), environment: [:]) { _ in text }
    }

    @Test func namesEveryKeyTheAgentReads() throws {
        let keys = Set(try TOMLSubset.parse(try Self.everyOptionOn()).values.keys)
        let read = Set(ConfigurationKey.allCases.map(\.fileKey))
        #expect(read.subtracting(keys).isEmpty, "keys missing from deploy/chorus.toml: \(read.subtracting(keys).sorted())")
        #expect(keys.subtracting(read).isEmpty, "keys the agent does not read: \(keys.subtracting(read).sorted())")
    }

    @Test func loadsAsShipped() throws {
        let configuration = try Self.load(try Self.shipped())
        #expect(configuration.authority == "/etc/chorus/authority.pub")
        #expect(configuration.certificate == "/etc/chorus/node.cert")
        #expect(configuration.authorityKey == nil, "the development-only secret key must stay commented out")
        #expect(configuration.join.count == 3)
        #expect(configuration.upgradeAutoApprove == false)
        #expect(configuration.clusterFounder == "app-1", "hosts share the join list, so the example names a founder")
    }

    @Test func loadsWithEveryOptionSwitchedOn() throws {
        let configuration = try Self.load(try Self.everyOptionOn())
        #expect(configuration.name == "app-1")
        #expect(configuration.advertise == "10.0.0.1:7720")
        #expect(configuration.appVersion == "1.4.2")
        #expect(configuration.upgradeTasksCommand == "/usr/local/bin/app-upgrade-tasks")
        #expect(configuration.eventHooks.count == 2)
        #expect(configuration.endpointAllowedHosts == ["node-1.internal"])
    }
}
