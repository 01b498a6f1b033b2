import ChorusCore

/// Runs scenario scripts on a `SimulatedCluster` with an `InvariantChecker` watching throughout.
public enum ScenarioRunner {
    /// `seed` overrides the script's; `traceAllSteps` traces every step with its cause instead
    /// of the membership events alone (for debugging one run, not for golden traces).
    /// `progress` receives the trace line by line as the run makes it (the CLI prints it so, and
    /// a run that traps inside a core still shows how far it got).
    public static func run(_ script: ScenarioScript, seed: UInt64? = nil, traceAllSteps: Bool = false,
                           progress: ((String) -> Void)? = nil) -> ScenarioResult {
        var execution = ScenarioExecution(script: script, seed: seed ?? script.seed ?? ScenarioScript.defaultSeed,
                                          traceAllSteps: traceAllSteps)
        var shown = 0
        func show() {
            guard let progress else { return }
            for line in execution.traceLines[shown...] { progress(line) }
            shown = execution.traceLines.count
        }
        show()
        for step in script.steps {
            execution.perform(step)
            show()
        }
        let result = execution.finish()
        show()
        return result
    }
}

/// What a scenario run did and found. The same script and seed give the same result.
public struct ScenarioResult: Sendable {
    public let seed: UInt64
    /// The commands as written, what happened during each, and how each expectation fared.
    public let trace: String
    /// Failed expectations, commands that could not be carried out and unexpected violations,
    /// each with file, line, seed and step.
    public let failures: [String]
    /// Everything the invariant checker found, expected or not.
    public let violations: [Violation]
    public let checks: [Violation.Invariant: Int]

    public var passed: Bool { failures.isEmpty }
}
