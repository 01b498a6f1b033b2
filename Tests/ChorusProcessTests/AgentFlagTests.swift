import ChorusAgent
import Foundation
import Testing
import ChorusTesting

/// `chorus agent`'s options are declared by hand (swift-argument-parser needs property
/// wrappers); its help must list exactly the flags of `AgentSettings.all`, plus `--config` and
/// the parser's own `--help` and `--version`, each with the table's summary.
@Suite struct AgentFlagTests {
    @Test func theAgentsOptionsAreTheTablesFlags() async throws {
        let help = try await ExternalTool.run(AgentProcess.binary, ["agent", "--help"])
        #expect(help.status == 0, "\(help.output)")
        let options = Set(help.output.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," || $0 == "[" || $0 == "]" })
            .filter { $0.hasPrefix("--") && $0.count > 2 }.map(String.init))
        let expected = Set(AgentSettings.all.compactMap(\.flag) + ["--config", "--help", "--version"])
        #expect(options == expected, "missing: \(expected.subtracting(options).sorted()), not in the table: \(options.subtracting(expected).sorted())")
        // The parser wraps lines: compare with single spaces.
        let text = help.output.split(whereSeparator: \.isWhitespace).joined(separator: " ").lowercased()
        for setting in AgentSettings.all where setting.flag != nil {
            let expected = "\(setting.summary) (default: \(setting.defaultText)".lowercased()
            #expect(text.contains(expected), "the help of \(setting.flag ?? "") is the table's: \(expected)")
        }
    }

    /// Every option reaches its setting (AgentCommand maps them by reflection): an empty value,
    /// which no setting accepts, is refused with the flag's name.
    @Test func everyOptionReachesItsSetting() async throws {
        for flag in AgentSettings.all.compactMap(\.flag) {
            let run = try await ExternalTool.run(AgentProcess.binary, ["agent", flag, ""])
            #expect(run.status == 64, "\(flag): \(run.output)")
            #expect(run.output.hasPrefix("chorus agent: flag \(flag): "), "\(run.output)")
        }
    }

    /// `--config /dev/null` (no file: the defaults) reads as empty, as a pipe does; the run then
    /// stops at the next layer, a flag no setting accepts, not at reading the file.
    @Test func devNullAsTheConfigFileIsEmpty() async throws {
        let run = try await ExternalTool.run(AgentProcess.binary, ["agent", "--config", "/dev/null", "--log-level", ""])
        #expect(run.status == 64, "\(run.output)")
        #expect(run.output.hasPrefix("chorus agent: flag --log-level: "), "\(run.output)")
    }
}
