import ChorusCore
import ChorusSimulator
import ChorusWire
import Testing

/// Random faults against the invariant checker: the real core holds every invariant, the same
/// seed replays the same run, and a core broken on purpose is caught, with the seed that shows it.
@Suite struct RandomFaultTests {
    @Test("random faults on 5-25 nodes break no invariant", arguments: 1...12 as ClosedRange<UInt64>)
    func invariantsHold(seed: UInt64) {
        let nodes = 5 + Int(seed * 7 % 21)
        let result = RandomFaultRun(seed: seed, nodes: nodes, duration: .seconds(40)).run()
        #expect(result.violations.isEmpty, "\(result.violations.map(\.description).joined(separator: "\n"))")
        #expect(result.checks[.convergence, default: 0] >= 1, "seed \(seed): convergence was never checked")
        #expect(result.checks[.accuracy, default: 0] >= 1, "seed \(seed): no death was examined")
    }

    @Test("the same seed replays the same run, event for event")
    func replay() {
        func trace(_ seed: UInt64) -> [String] {
            var lines: [String] = []
            _ = RandomFaultRun(seed: seed, nodes: 7, duration: .seconds(30)).run { lines.append($0) }
            return lines
        }
        let first = trace(3)
        #expect(first.count > 50)
        #expect(first == trace(3))
        #expect(first != trace(4))
        // A forgery's line names its kind, so a replayed failure shows what was tried.
        let forgeries = first.filter { $0.contains(" fault forge ") }
        #expect(!forgeries.isEmpty)
        #expect(forgeries.allSatisfy { line in Forgery.allCases.contains { line.contains(" \($0.rawValue) (loss") } }, "\(forgeries)")
    }

    @Test("a naive detector (no indirect probes, no suspicion) is caught declaring live nodes dead (seed 2)")
    func brokenSuspicionIsCaught() {
        // SWIM stripped of indirect probes and suspicion: one lost ping at 10% loss kills a live node.
        var settings = MembershipSettings.lan
        settings.suspicionMultiplier = 0
        settings.indirectProbes = 0
        var cluster = SimulatedCluster(size: 10, seed: 2, settings: settings)
        var checker = InvariantChecker(settings: settings, clusterSize: 10)
        cluster.run(for: .seconds(5), observer: &checker)
        cluster.network.lossRate = 0.10
        cluster.run(for: .seconds(60), observer: &checker)
        let accuracy = checker.violations.filter { $0.invariant == .accuracy }
        #expect(!accuracy.isEmpty, "the broken core went unnoticed")
        #expect(accuracy.first?.description.hasPrefix("seed 2 step ") == true)
    }

    @Test("a core that accepts any signature is caught by the forgeries (seed 5)")
    func brokenVerificationIsCaught() {
        var cluster = SimulatedCluster(size: 5, seed: 5, verifier: AcceptsAnything())
        var checker = InvariantChecker(settings: .lan, clusterSize: 5)
        cluster.run(for: .seconds(5), observer: &checker)
        for forgery in [Forgery.outsider, .alteredRelay] {
            let built = cluster.inject(forgery, to: 0)
            #expect(built)
            cluster.run(for: .seconds(1), observer: &checker)
        }
        #expect(checker.violations.contains { $0.invariant == .integrity }, "forgeries went unnoticed")
    }

    @Test("the genuine core shrugs the same forgeries off")
    func forgeriesChangeNothing() {
        var cluster = SimulatedCluster(size: 5, seed: 5)
        var checker = InvariantChecker(settings: .lan, clusterSize: 5)
        cluster.run(for: .seconds(5), observer: &checker)
        for forgery in Forgery.allCases {
            let built = cluster.inject(forgery, to: 0)
            #expect(built, "\(forgery) could not be built")
            cluster.run(for: .seconds(1), observer: &checker)
        }
        #expect(checker.violations.isEmpty, "\(checker.violations)")
        #expect(checker.checks[.integrity] == Forgery.allCases.count)
    }

    /// Six nodes whose seeds are hosts 0-2: `leavers` leave and `crashed` dies, then `restarted`
    /// come back one second apart, then 25 s pass.
    private func leaversComeBack(seed: UInt64, leavers: [Int], crashed: Int,
                                 restarted: [Int]) -> (SimulatedCluster, InvariantChecker) {
        var cluster = SimulatedCluster(size: 6, seed: seed)
        var checker = InvariantChecker(settings: .lan, clusterSize: 6)
        cluster.run(for: .seconds(5), observer: &checker)
        for leaver in leavers { cluster.leave(leaver, observer: &checker) }
        cluster.crash(crashed)
        cluster.run(for: .seconds(5), observer: &checker)
        for node in restarted {
            cluster.restart(node, observer: &checker)
            cluster.run(for: .seconds(1), observer: &checker)
        }
        cluster.run(for: .seconds(25), observer: &checker)
        return (cluster, checker)
    }

    @Test("a node restarted after leaving, with every seed down, is found by the members that remember it (CI seed 915785017)")
    func aLeaverRestartedWithEverySeedDownIsFound() {
        // Seed 915785017: node-10 left, its three seeds left or died, then it was restarted; its
        // seeds were its only way in and nobody talked to a member that left.
        let (cluster, checker) = leaversComeBack(seed: 3, leavers: [4, 1, 2], crashed: 0, restarted: [4])
        #expect(cluster.status(of: 3, seenBy: 4) == .alive)
        #expect(cluster.status(of: 4, seenBy: 5) == .alive)
        #expect(InvariantChecker.disagreement(in: cluster) == nil, "\(InvariantChecker.disagreement(in: cluster) ?? "")")
        #expect(checker.violations.isEmpty, "\(checker.violations)")
    }

    @Test("two leavers restarted into an island of their own are found too (CI seed 679638258)")
    func anIslandOfRestartedLeaversIsFound() {
        // Seed 679638258: node-1 and node-2 left, node-3 was killed; node-2 restarted with both
        // its seeds down, then node-1 restarted and joined through it: two nodes that knew each
        // other and nobody else, both `left` in everyone else's view.
        let (cluster, checker) = leaversComeBack(seed: 4, leavers: [0, 1], crashed: 2, restarted: [1, 0])
        for member in [0, 1] {
            #expect(cluster.status(of: member, seenBy: 5) == .alive)
            #expect(cluster.status(of: 5, seenBy: member) == .alive)
        }
        #expect(InvariantChecker.disagreement(in: cluster) == nil, "\(InvariantChecker.disagreement(in: cluster) ?? "")")
        #expect(checker.violations.isEmpty, "\(checker.violations)")
    }

    @Test("a replay is only tried on the process that handled the original (CI seed 98535252)")
    func replayAcrossARestartIsNotAForgery() {
        // The upgrade run of seed 98535252 built a replay for a crashed host, restarted it at
        // the same instant, and delivered the old datagram to the new process, which rightly
        // learned the members from it: a harness error reported as an integrity violation.
        var cluster = SimulatedCluster(size: 5, seed: 5)
        var checker = InvariantChecker(settings: .lan, clusterSize: 5)
        cluster.run(for: .seconds(5), observer: &checker)
        let builtBeforeTheCrash = cluster.inject(.replay, to: 0)
        #expect(builtBeforeTheCrash)
        cluster.crash(0)
        let builtForTheDead = cluster.inject(.replay, to: 0)
        #expect(!builtForTheDead, "a dead host has handled nothing to replay")
        cluster.restart(0, observer: &checker)
        cluster.run(for: .seconds(1), observer: &checker)
        #expect(checker.violations.isEmpty, "\(checker.violations)")
        #expect(checker.checks[.integrity, default: 0] == 0, "the stale replay reached the new process")
        let builtForTheNewProcess = cluster.inject(.replay, to: 0)
        #expect(builtForTheNewProcess, "the new process has handled datagrams since its boot")
        cluster.run(for: .seconds(1), observer: &checker)
        #expect(checker.violations.isEmpty, "\(checker.violations)")
        #expect(checker.checks[.integrity] == 1)
    }

    @Test("a core that never declares the dead is caught by the detection bound (seed 4)")
    func brokenDetectionIsCaught() {
        // Suspicions that outlive any bound: the dead stay suspect.
        var settings = MembershipSettings.lan
        settings.suspicionMultiplier = 100
        var cluster = SimulatedCluster(size: 6, seed: 4, settings: settings)
        var checker = InvariantChecker(settings: .lan, clusterSize: 6)
        cluster.run(for: .seconds(5), observer: &checker)
        cluster.crash(3)
        cluster.run(for: .seconds(30), observer: &checker)
        #expect(checker.violations.contains { $0.invariant == .completeness }, "the undetected death went unnoticed")
    }
}

/// A verification bug on purpose: every signature "verifies".
struct AcceptsAnything: SignatureScheme {
    func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool { true }
}
