import Foundation
import Testing
import ChorusTesting

/// `chorus simulate` as operators and CI call it: the exit status and the report they read.
@Suite(.serialized) struct SimulateCommandTests {
    struct Run {
        let status: Int32
        let output: String
    }

    func simulate(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = AgentProcess.binary
        process.arguments = ["simulate"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self))
    }

    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ChorusSimulatorTests/Scenarios").standardized

    @Test("a random-fault run prints the invariant report and exits 0")
    func randomFaults() throws {
        let run = try simulate(["--faults", "random", "--nodes", "6", "--seed", "3", "--duration", "20s"])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("seed 3: 6 nodes"))
        #expect(run.output.contains("violations: 0"))
        #expect(run.output.contains("checks: agreement "))
        #expect(run.output.contains(", completeness "))
    }

    @Test("a scenario file runs with its trace; a failed expectation exits 1")
    func scenario() throws {
        let good = try simulate(["--scenario", Self.scenarios.appendingPathComponent("CrashDetected.scenario").path])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("expect member 3 dead at all: ok"))

        let failing = FileManager.default.temporaryDirectory.appendingPathComponent("failing-\(UUID()).scenario")
        try "# A live node is not dead.\nnodes 3\nrun 5s\nexpect member 2 dead at all\n"
            .write(to: failing, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: failing) }
        let bad = try simulate(["--scenario", failing.path])
        #expect(bad.status == 1, "\(bad.output)")
        #expect(bad.output.contains("FAILED"))
    }

    @Test("bad arguments exit 64 with the reason")
    func badArguments() throws {
        let run = try simulate(["--faults", "sometimes"])
        #expect(run.status == 64)
        #expect(run.output.contains("--faults must be none or random"))
    }
}
