import Foundation
import Testing

@testable import ChorusAgent

/// docs/configuration.md's settings table and deploy/chorus.toml say what `AgentSettings.all`
/// says: every setting, no other, with its names, type and default.
@Suite("Settings documentation")
struct SettingsDocumentationTests {
    static let guide = URL(fileURLWithPath: ExampleConfigurationTests.path).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/configuration.md").path
    static let tableHeader = "| file key | environment | flag | type | default | meaning |"

    /// The guide's row for a setting, but for the meaning, which starts with the summary.
    static func expectedCells(_ setting: Setting) -> [String] {
        let name = setting.key.split(separator: ".").last.map(String.init) ?? setting.key
        let type = "`\(setting.syntax.replacingOccurrences(of: "|", with: "\\|"))`"
        return [
            setting.section.map { "`[\($0)] \(name)`" } ?? "`\(name)`",
            "`\(setting.environmentVariable)`",
            setting.flag.map { "`\($0)`" } ?? "—",
            setting.isList ? "list of \(type)" : type,
            setting.defaultText,
        ]
    }

    /// The settings table's rows, cells without their padding; a meaning may itself hold " | ".
    static func guideRows() throws -> [[String]] {
        let lines = try String(contentsOfFile: guide, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let header = try #require(lines.firstIndex { $0 == tableHeader }, "no settings table in docs/configuration.md")
        return lines[(header + 2)...].prefix { $0.hasPrefix("| ") }.map { line in
            let cells = line.dropFirst(2).dropLast(2).components(separatedBy: " | ")
            return Array(cells.prefix(5)) + [cells.dropFirst(5).joined(separator: " | ")]
        }
    }

    /// Each setting line of a TOML example ("key = ..." or "# key = ..."), by dotted key, with
    /// the comment lines just above it.
    static func commentedKeys(_ text: String) -> [String: [String]] {
        var (keys, section, comments): ([String: [String]], String?, [String]) = ([:], nil, [])
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let bare = line.hasPrefix("# ") ? String(line.dropFirst(2)) : line
            if line.hasPrefix("[") {
                section = String(line.dropFirst().dropLast())
                comments = []
            } else if let equals = bare.firstRange(of: " = "),
                      bare[..<equals.lowerBound].allSatisfy({ $0.isLowercase || $0 == "_" }) {
                let name = String(bare[..<equals.lowerBound])
                keys[section.map { "\($0).\(name)" } ?? name] = comments
                comments = []
            } else if line.hasPrefix("#") {
                comments.append(line)
            } else {
                comments = []
            }
        }
        return keys
    }

    @Test func theGuideHasOneRowPerSettingAsTheTableSaysIt() throws {
        let rows = try Self.guideRows()
        #expect(rows.map(\.first) == AgentSettings.all.map { Self.expectedCells($0).first }, "rows in the table's order, no other")
        for (row, setting) in zip(rows, AgentSettings.all) {
            #expect(Array(row.prefix(5)) == Self.expectedCells(setting), "docs/configuration.md, row of \(setting.key)")
            #expect(row.last?.hasPrefix(setting.summary) == true, "the meaning of \(setting.key) starts with: \(setting.summary)")
        }
    }

    @Test func theGuideSaysWhichSettingsReloadLive() throws {
        let text = try String(contentsOfFile: Self.guide, encoding: .utf8)
        /// The settings named on the line that starts with `lead`, as the table's first column shows them.
        func named(after lead: String) throws -> [String] {
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(lead) }, "no line '\(lead)'")
            return line.dropFirst(lead.count).split(separator: ", ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ".")) }
        }
        let cell = { (setting: Setting) in Self.expectedCells(setting)[0] }
        #expect(try named(after: "- Reload live: ") == AgentSettings.all.filter(\.reloadsLive).map(cell))
        #expect(try named(after: "- Need a restart: ") == AgentSettings.all.filter { !$0.reloadsLive }.map(cell))
    }

    @Test func theExampleFileNamesEverySettingWithItsDefault() throws {
        let keys = Self.commentedKeys(try ExampleConfigurationTests.shipped())
        #expect(Set(keys.keys) == Set(AgentSettings.all.map(\.key)), "deploy/chorus.toml names every setting, and no other")
        for setting in AgentSettings.all {
            #expect(keys[setting.key]?.contains("# Default: \(setting.defaultText)") == true,
                    "deploy/chorus.toml: '# Default: \(setting.defaultText)' above \(setting.key)")
        }
    }

    @Test func theCheckersSeeADisagreement() {
        let stale = "[upgrade]\n# Default: 1800\ntasks_timeout = \"30m\"\n# Default: false\nauto_aprove = false\n"
        let keys = Self.commentedKeys(stale)
        #expect(keys["upgrade.tasks_timeout"] == ["# Default: 1800"])
        #expect(keys["upgrade.auto_aprove"] != nil && keys["upgrade.auto_approve"] == nil)
        let timeout = AgentSettings.byKey["upgrade.tasks_timeout"]
        #expect(timeout.map(Self.expectedCells)?.last == "30m", "the default comes from AgentConfiguration, in the largest whole unit")
    }
}
