import ChorusSimulator
import Foundation
import Testing

/// Runs every `Scenarios/*.scenario` file: its expectations must hold, the invariant checker must
/// find nothing it does not expect, and the trace must match the `.trace` file beside it.
/// Traces follow the core's random draws; `CHORUS_UPDATE_TRACES=1 swift test --filter
/// ScenarioFileTests` rewrites them.
@Suite struct ScenarioFileTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scenarios")
    static let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        .filter { $0.hasSuffix(".scenario") }.sorted()
    static let updating = ProcessInfo.processInfo.environment["CHORUS_UPDATE_TRACES"] == "1"
    @Test("the scenario directory holds the scenarios")
    func scenariosExist() {
        #expect(Self.files.count >= 30, "found \(Self.files.count) in \(Self.directory.path)")
    }

    @Test("scenario", arguments: files)
    func scenario(_ name: String) throws {
        let script = try Self.script(name)
        let result = ScenarioRunner.run(script)
        compareTrace(result.trace, of: name)
        #expect(result.failures.isEmpty, "\(result.failures.joined(separator: "\n"))")
    }

    /// The expectations are about the protocol, not one run: they must hold on other seeds too
    /// (the traces are compared on the script's seed only). `CHORUS_SCENARIO_SEEDS=1-50` widens it.
    static let otherSeeds: [UInt64] = {
        let spec = ProcessInfo.processInfo.environment["CHORUS_SCENARIO_SEEDS"] ?? "2,3"
        return spec.split(separator: ",").flatMap { item -> [UInt64] in
            let ends = item.split(separator: "-").compactMap { UInt64($0) }
            return ends.count == 2 ? Array(ends[0]...ends[1]) : ends
        }
    }()

    @Test("scenario expectations on other seeds", arguments: files)
    func otherSeeds(_ name: String) throws {
        let script = try Self.script(name)
        for seed in Self.otherSeeds {
            let failures = ScenarioRunner.run(script, seed: seed).failures
            #expect(failures.isEmpty, "seed \(seed): \(failures.joined(separator: "\n"))")
        }
    }

    @Test("the same script and seed give the same trace")
    func deterministic() throws {
        let script = try Self.script(Self.files.first ?? "")
        #expect(ScenarioRunner.run(script, seed: 5).trace == ScenarioRunner.run(script, seed: 5).trace)
    }

    static func script(_ name: String) throws -> ScenarioScript {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        return try ScenarioScript.parse(text, file: name)
    }

    private func compareTrace(_ trace: String, of name: String) {
        let url = Self.directory.appendingPathComponent(name.replacingOccurrences(of: ".scenario", with: ".trace"))
        if Self.updating {
            #expect(throws: Never.self) { try trace.write(to: url, atomically: true, encoding: .utf8) }
            return
        }
        let golden = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        guard trace != golden else { return }
        Issue.record("""
            \(name): the trace differs from \(url.lastPathComponent):
            \(Self.firstDifference(expected: golden, actual: trace))
            If the change is intended (the core's random draws changed), regenerate every trace with
            CHORUS_UPDATE_TRACES=1 swift test --filter ScenarioFileTests
            """)
    }

    /// A few lines around the first difference, as `-expected` / `+actual`.
    static func firstDifference(expected: String, actual: String) -> String {
        let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let first = zip(old, new).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(old.count, new.count)
        let removed: [String] = old[first...].prefix(6).map { "-\($0)" }
        let added: [String] = new[first...].prefix(6).map { "+\($0)" }
        return (["@@ line \(first + 1)"] + removed + added).joined(separator: "\n")
    }
}

/// The format's edges: errors name file, line and what was expected; script mistakes found only
/// at run time fail the run instead of trapping.
@Suite struct ScenarioScriptTests {
    func parseError(_ text: String) -> ScenarioParseError? {
        do {
            _ = try ScenarioScript.parse(text, file: "t.scenario")
            return nil
        } catch {
            return error
        }
    }

    @Test("the first line must say what the scenario checks")
    func summaryRequired() {
        #expect(parseError("nodes 3\nrun 1s\n")?.line == 1)
    }

    @Test("errors name the file, the line and what was expected")
    func errorsSayWhere() {
        let error = parseError("# x\nnodes 5\nrun 1s\nkill 6\n")
        #expect(error?.description == "t.scenario:4: expected a node number 1...5, got '6'")
        #expect(parseError("# x\nnodes 3\nexplode 1\n")?.line == 3)
        #expect(parseError("# x\nrun 1s\n")?.message == "expected 'nodes N' before 'run'")
        #expect(parseError("# x\nnodes 3\nseed 2\n")?.message == "expected 'seed' before 'nodes'")
        #expect(parseError("# x\nnodes 3\nrun 5 s\n")?.message == "expected a duration")
        #expect(parseError("# x\nnodes 3\npartition 1,2 | 2,3\n")?.message == "expected no node on both sides")
    }

    @Test("added nodes can be named from then on")
    func addNodesGrowsTheRange() throws {
        let script = try ScenarioScript.parse("# x\nnodes 3\nadd-nodes 2\nkill 5\n", file: "t.scenario")
        #expect(script.steps.map(\.command) == [.addNodes(2), .kill([4])])
    }

    @Test("lists, ranges, percentages and versions parse as written")
    func values() throws {
        let script = try ScenarioScript.parse("""
            # x
            preset wan
            seed 9
            nodes 5
            partition 1..2 | 3,4,5   # a comment
            loss 12.5%
            drift 2 -20000ppm
            restart 3 version 1.2.3
            expect member 2 unknown at 1,3
            """, file: "t.scenario")
        #expect(script.preset == "wan" && script.seed == 9 && script.nodes == 5)
        #expect(script.steps.map(\.command) == [
            .partition([0, 1], [2, 3, 4]), .loss(0.125), .drift(1, ppm: -20000),
            .restart(2, version: "1.2.3"), .expect(.member(1, nil, at: .nodes([0, 2]))),
        ])
        #expect(script.steps[0].text == "partition 1..2 | 3,4,5")
    }

    @Test("an expected violation that did not happen fails, as does restarting a running node")
    func runtimeFailures() throws {
        let script = try ScenarioScript.parse("# x\nnodes 3\nrun 1s\nrestart 2\nexpect violation accuracy\n",
                                              file: "t.scenario")
        let result = ScenarioRunner.run(script)
        #expect(result.failures.count == 2)
        #expect(result.trace.contains("restart 2: FAILED: node-2 is running"))
        #expect(result.trace.contains("expect violation accuracy: FAILED: no accuracy violation"))
    }
}
