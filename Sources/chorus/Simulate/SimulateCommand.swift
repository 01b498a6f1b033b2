import ArgumentParser
import ChorusCore
import ChorusSimulator
import Foundation

/// `chorus simulate`: the deterministic simulator. Real cores, virtual time, a seeded network;
/// the same arguments replay the same run bit for bit (docs/simulator.md).
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run the protocol cores in a deterministic simulation and check the invariants.",
        discussion: """
            Modes: --scenario FILE runs a scenario script; --faults random injects faults drawn \
            from the seed for --duration; --figures measures propagation, detection, load and \
            false positives at each --nodes size. Exit codes: 0 no violation, 1 a violation or a \
            failed expectation, 64 bad arguments.
            """)

    @Option(help: "Cluster size, or a range (5-25) from which each seed draws its size, or a list for --figures (100,1000).")
    var nodes = "5"
    @Option(help: "The seed (the first one with --seeds); default 1, or a scenario's own seed.")
    var seed: UInt64?
    @Option(help: "How many consecutive seeds to run, starting at --seed.")
    var seeds = 1
    @Option(help: "A scenario script (docs/scenarios.md).")
    var scenario: String?
    @Option(help: "none or random.")
    var faults = "none"
    @Option(help: "Simulated time of a --faults run: 90s, 10m, 1h; with --commit-latency, how long the cluster may take to form.")
    var duration = "60s"
    @Option(help: "Timing preset: lan, local or wan.")
    var preset = TimingPreset.lan.rawValue
    @Flag(help: "Print every fault and membership event (replays one seed in detail).")
    var trace = false
    @Flag(help: "With --faults random: also drive upgrades (start, rolling restarts, approve, cancel, retry, remove, downgrades, conflicting commands).")
    var upgrades = false
    @Flag(help: "With --faults random: also hostile faults (replays on other paths, spoofed reflections, floods of forged datagrams, a malicious insider's signed lies, a dead node's captured acks answering its probes).")
    var hostile = false
    @Flag(inversion: .prefixedNo, help: "With --hostile: check that no node sends a spoofed address more bytes than it got from it (SPEC §2).")
    var checkReflection = true
    @Flag(help: "Measure propagation, detection, load and false deaths at each --nodes size and --loss.")
    var figures = false
    @Flag(help: "Measure commit latency at each --nodes size: form a cluster of N voters, then time operator commands until every host decided them.")
    var commitLatency = false
    @Option(help: "Packet loss in percent for --figures, a list: 0,5,10.")
    var loss = "0"
    @Option(help: "ed25519 (default), or forgeable-hash: an insecure stand-in for the largest runs, named in every report.")
    var signatures = IdentityFactory.Signatures.ed25519.rawValue
    @Option(help: "For --figures: join (every node joins at once through three seeds, and is admitted as a voter) or converged (every node starts knowing every other, membership only: no decision log).")
    var start = ScaleMeasurement.Start.join.rawValue

    func validate() throws {
        guard TimingPreset(rawValue: preset) != nil else { throw ValidationError("--preset must be lan, local or wan") }
        guard SimulationTime.parse(duration) != nil else { throw ValidationError("--duration must look like 90s or 10m") }
        guard ["none", "random"].contains(faults) else { throw ValidationError("--faults must be none or random") }
        if upgrades, faults != "random" { throw ValidationError("--upgrades needs --faults random") }
        if hostile, faults != "random" { throw ValidationError("--hostile needs --faults random") }
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
        guard IdentityFactory.Signatures(rawValue: signatures) != nil else {
            throw ValidationError("--signatures must be ed25519 or forgeable-hash")
        }
        if signatures != IdentityFactory.Signatures.ed25519.rawValue, !figures, !commitLatency {
            throw ValidationError("--signatures forgeable-hash is for --figures and --commit-latency only; invariant runs use Ed25519")
        }
        guard let start = ScaleMeasurement.Start(rawValue: start), start == .join || figures else {
            throw ValidationError("--start must be join or converged, and converged is for --figures only")
        }
        if figures || commitLatency {
            guard figureSizes != nil, lossRates != nil else {
                throw ValidationError("--figures takes --nodes 100,1000 and --loss 0,5 (percent)")
            }
        } else if NodeCountRange(nodes) == nil {
            throw ValidationError("--nodes must be N or MIN-MAX (N >= 1)")
        }
    }

    private var figureSizes: [Int]? { Self.list(nodes, Int.init).flatMap { $0.allSatisfy { $0 >= 2 } ? $0 : nil } }
    private var lossRates: [Double]? {
        Self.list(loss, Double.init).flatMap { $0.allSatisfy { (0..<100).contains($0) } ? $0.map { $0 / 100 } : nil }
    }

    private static func list<T>(_ text: String, _ parse: (String) -> T?) -> [T]? {
        let values = text.split(separator: ",").map { parse(String($0)) }
        return values.isEmpty || values.contains { $0 == nil } ? nil : values.map { $0! }
    }

    func run() throws {
        let settings = MembershipSettings.preset(TimingPreset(rawValue: preset)!)
        if figures { return measureFigures(settings: settings) }
        if commitLatency { return measureCommitLatency(settings: settings) }
        if let scenario { return try runScenario(at: scenario) }
        let sizes = NodeCountRange(nodes)!
        let started = Date()
        var failedSeeds: [UInt64] = []
        var totals = RunTotals()
        let first = seed ?? 1
        for seed in first..<(first + UInt64(seeds)) {
            var plan = RandomFaultRun(seed: seed, nodes: sizes.size(for: seed), duration: SimulationTime.parse(duration)!,
                                      settings: settings)
            if faults == "none" { plan.enabled = [] }
            plan.upgrades = upgrades
            plan.hostile = hostile
            plan.checksReflection = checkReflection
            // A core that traps takes the process with it: name the seed on the way out.
            TrapReport.arm("chorus simulate: seed \(seed) trapped; replay it with --seed \(seed) --seeds 1 --trace\n")
            let result = plan.run(trace: trace ? { Output.line($0) } : nil)
            totals.add(result)
            if !result.violations.isEmpty { failedSeeds.append(seed) }
            if seeds == 1 || !result.violations.isEmpty { Output.line(RunReport.render(result)) }
        }
        if seeds > 1 { Output.line(totals.render(wall: Date().timeIntervalSince(started))) }
        if !failedSeeds.isEmpty {
            Output.line("violations in seeds: \(failedSeeds.map(String.init).joined(separator: " "))")
            throw ExitCode(1)
        }
    }
}

extension SimulateCommand {
    /// Runs a scenario script; the trace is printed, then every failed expectation or violation.
    private func runScenario(at path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read \(path): \(error.localizedDescription)")
        }
        let script: ScenarioScript
        do {
            script = try ScenarioScript.parse(text, file: path)
        } catch {
            throw ValidationError("\(error)")
        }
        let runSeed = seed ?? script.seed ?? ScenarioScript.defaultSeed
        TrapReport.arm("chorus simulate: scenario \(path) trapped on seed \(runSeed), in the command after the last one shown\n")
        let result = ScenarioRunner.run(script, seed: seed, traceAllSteps: trace, progress: { Output.line($0) })
        guard result.passed else {
            Output.line("FAILED (seed \(result.seed)):")
            for failure in result.failures { Output.line("  \(failure)") }
            throw ExitCode(1)
        }
    }

    private func measureFigures(settings: MembershipSettings) {
        Output.line(FigureTable.header)
        for size in figureSizes! {
            for rate in lossRates! {
                let started = Date()
                var measurement = ScaleMeasurement(nodes: size, loss: rate, seed: seed ?? 1)
                measurement.settings = settings
                measurement.signatures = IdentityFactory.Signatures(rawValue: signatures)!
                measurement.start = ScaleMeasurement.Start(rawValue: start)!
                let result = measurement.run(progress: { message in
                    if trace {
                        Output.line("# \(size) nodes, loss \(rate): \(message) [max RSS so far \(ProcessUsage.maxResidentMiB()) MiB]")
                    }
                })
                Output.line(FigureTable.row(result, wallSeconds: Date().timeIntervalSince(started),
                                            maxResidentMiB: ProcessUsage.maxResidentMiB()))
            }
        }
    }
}

extension SimulateCommand {
    private func measureCommitLatency(settings: MembershipSettings) {
        Output.line(CommitLatencyTable.header)
        for size in figureSizes! {
            let started = Date()
            var measurement = CommitLatencyMeasurement(nodes: size, seed: seed ?? 1)
            measurement.settings = settings
            measurement.signatures = IdentityFactory.Signatures(rawValue: signatures)!
            measurement.formationLimit = SimulationTime.parse(duration)!
            let result = measurement.run(progress: { message in
                if trace { Output.line("# \(size) nodes: \(message) [max RSS so far \(ProcessUsage.maxResidentMiB()) MiB]") }
            })
            Output.line(CommitLatencyTable.row(result, wallSeconds: Date().timeIntervalSince(started),
                                               maxResidentMiB: ProcessUsage.maxResidentMiB()))
        }
    }
}

/// `--nodes`: one size, or a range each seed draws from.
struct NodeCountRange {
    let range: ClosedRange<Int>

    init?(_ text: String) {
        let parts = text.split(separator: "-").map { Int($0) }
        guard (1...2).contains(parts.count), let low = parts.first ?? nil, let high = parts.last ?? nil,
              low >= 1, high >= low else { return nil }
        range = low...high
    }

    func size(for seed: UInt64) -> Int {
        var random = SeededRandom(seed: seed)
        return range.lowerBound + Int(random.next(upperBound: UInt64(range.count)))
    }
}

/// Printing that a parent process reading a pipe sees at once.
enum Output {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
