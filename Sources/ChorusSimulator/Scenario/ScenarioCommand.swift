import ChorusCore

/// One action or check of a scenario script. Node numbers are 0-based here; scripts write them
/// 1-based, as the nodes are named.
public enum ScenarioCommand: Sendable, Equatable {
    case addNodes(Int)
    case kill([Int])
    case restart(Int, version: String?)
    case leave(Int)
    case pause(Int, for: Duration)
    case drift(Int, ppm: Int64)
    /// Symmetric: neither side reaches the other.
    case partition([Int], [Int])
    /// One-way: `from` cannot reach `to`, `to` still reaches `from`.
    case block(from: [Int], to: [Int])
    case heal
    case loss(Double)
    case duplicate(Double)
    case delay(Duration, Duration)
    case forge(Forgery, to: Int)
    case run(Duration)
    case expect(ScenarioExpectation)
}

/// What a scenario asserts about the cluster at that point of the run.
public enum ScenarioExpectation: Sendable, Equatable {
    /// `status` nil: the observers do not know the member at all.
    case member(Int, MemberStatus?, at: ScenarioObservers)
    case version(Int, String, at: ScenarioObservers)
    case incarnation(Int, above: UInt64, at: ScenarioObservers)
    /// `InvariantChecker.disagreement(in:)` finds nothing.
    case converged
    /// The last `run` produced no event of this kind anywhere.
    case noEvent(MembershipEvent.Kind)
    /// The invariant checker found nothing so far.
    case noViolations
    /// The checker found this kind of violation so far; the scenario expects it, so it does not
    /// fail the run.
    case violation(Violation.Invariant)
}

/// Whose view an expectation reads.
public enum ScenarioObservers: Sendable, Equatable {
    /// Every running node but the subject.
    case all
    case nodes([Int])
}
