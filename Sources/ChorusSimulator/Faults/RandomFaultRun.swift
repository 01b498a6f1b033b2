import ChorusCore
import ChorusWire

/// A run with faults drawn from the seed: kills and restarts, pauses, graceful leaves, symmetric
/// and one-way partitions, loss, duplication, delay, clock drift and forged datagrams, all while
/// the invariant checker watches every step. It ends with the faults healed and enough quiet
/// time for the convergence check, so every run checks all four invariants. Storms (partitions,
/// heavy loss, long delays) alternate with calm phases of host faults and at most 10% loss, so
/// completeness and accuracy, which storms excuse, are checked in every run too.
public struct RandomFaultRun {
    public enum Fault: String, Sendable, CaseIterable, Comparable {
        case kill, restart, pause, leave, partition, oneWay = "one-way", heal, loss, duplicate, delay, drift, forge

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public struct Result: Sendable {
        public let seed: UInt64
        public let nodes: Int
        public let simulated: Duration
        public let steps: UInt64
        public let faults: [Fault: Int]
        public let violations: [Violation]
        public let checks: [Violation.Invariant: Int]
    }

    /// Length of each calm and each stormy phase.
    static let phase = Duration.seconds(20)
    static let stormFaults: Set<Fault> = [.partition, .oneWay, .delay]

    public let seed: UInt64
    public let nodes: Int
    public let duration: Duration
    public let settings: MembershipSettings
    public var enabled: Set<Fault> = Set(Fault.allCases)
    /// Replaces signature verification in every core (see `SimulatedCluster.init`).
    public var verifier: (any SignatureScheme)?

    public init(seed: UInt64, nodes: Int, duration: Duration, settings: MembershipSettings = .lan) {
        self.seed = seed
        self.nodes = nodes
        self.duration = duration
        self.settings = settings
    }

    /// Runs it; `trace` receives one line per fault and per membership event when given.
    public func run(trace: ((String) -> Void)? = nil) -> Result {
        var cluster = SimulatedCluster(size: nodes, seed: seed, settings: settings, verifier: verifier)
        var random = SeededRandom(seed: seed ^ 0x6661_756C_7473_2121)
        var observer = ObserverPair(InvariantChecker(settings: settings, clusterSize: nodes), TraceObserver(emit: trace))
        var faults: [Fault: Int] = [:]
        var restartAt: [Int: Instant] = [:]
        var healAt: Instant?
        let end = cluster.now + duration

        cluster.run(for: .seconds(5), observer: &observer)
        while cluster.now < end {
            cluster.run(for: .milliseconds(250 + Int64(random.next(upperBound: UInt64(3_000)))), observer: &observer)
            let stormy = (cluster.now.nanoseconds / Self.phase.nanoseconds) % 2 == 1
            if !stormy, healAt != nil { healAt = cluster.now }
            for (index, at) in restartAt.sorted(by: { $0.key < $1.key }) where at <= cluster.now && !cluster.isRunning(index) {
                restartAt[index] = nil
                let version = random.next(upperBound: UInt64(4)) == 0 ? "1.1.0" : nil
                trace?("\(SimulationTime.format(cluster.now)) fault restart \(cluster.name(of: index))\(version.map { " on \($0)" } ?? "")")
                cluster.restart(index, appVersion: version, observer: &observer)
                faults[.restart, default: 0] += 1
            }
            if let at = healAt, at <= cluster.now {
                healAt = nil
                cluster.network.heal()
                cluster.network.lossRate = 0
                cluster.network.duplicateRate = 0
                cluster.network.maximumDelay = .milliseconds(2)
                trace?("\(SimulationTime.format(cluster.now)) fault heal")
                faults[.heal, default: 0] += 1
            }
            let fault = Fault.allCases.filter {
                enabled.contains($0) && $0 != .restart && $0 != .heal && (stormy || !Self.stormFaults.contains($0))
            }.randomElement(using: &random)
            guard let fault else { continue }
            let target = Int(random.next(upperBound: UInt64(nodes)))
            let down = (0..<nodes).count { !cluster.isRunning($0) }
            var applied = true
            switch fault {
            case .kill, .leave:
                // Keep most of the cluster up, as a chaos test on real hosts would.
                guard cluster.isRunning(target), !cluster.isPaused(target), down < nodes / 3 else { applied = false; break }
                if fault == .kill { cluster.crash(target) } else { cluster.leave(target, observer: &observer) }
                if random.next(upperBound: UInt64(3)) > 0 {
                    restartAt[target] = cluster.now + .milliseconds(Int64(1_000 + random.next(upperBound: UInt64(25_000))))
                }
            case .pause:
                guard cluster.isRunning(target), !cluster.isPaused(target) else { applied = false; break }
                cluster.pause(target, for: .milliseconds(Int64(200 + random.next(upperBound: UInt64(12_000)))))
            case .partition, .oneWay:
                guard !cluster.network.isPartitioned else { applied = false; break }
                let cut = 1 + Int(random.next(upperBound: UInt64(max(1, nodes / 2))))
                let side = Array((0..<nodes).shuffled(using: &random).prefix(cut))
                let rest = (0..<nodes).filter { !side.contains($0) }
                if fault == .partition { cluster.network.partition(side, from: rest) } else { cluster.network.block(from: rest, to: side) }
                healAt = cluster.now + .milliseconds(Int64(2_000 + random.next(upperBound: UInt64(20_000))))
            case .loss:
                let rates = stormy ? [0.10, 0.20, 0.30] : [0.02, 0.05, 0.10]
                cluster.network.lossRate = rates[Int(random.next(upperBound: UInt64(rates.count)))]
                healAt = healAt ?? cluster.now + .milliseconds(Int64(3_000 + random.next(upperBound: UInt64(20_000))))
            case .duplicate:
                cluster.network.duplicateRate = 0.05 + Double(random.next(upperBound: UInt64(20))) / 100
                healAt = healAt ?? cluster.now + .seconds(10)
            case .delay:
                cluster.network.maximumDelay = .milliseconds(Int64(5 + random.next(upperBound: UInt64(300))))
                healAt = healAt ?? cluster.now + .milliseconds(Int64(2_000 + random.next(upperBound: UInt64(10_000))))
            case .drift:
                cluster.setDrift(target, ppm: Int64(random.next(upperBound: UInt64(10_001))) - 5_000)
            case .forge:
                applied = cluster.inject(Forgery.allCases.randomElement(using: &random)!, to: target)
            case .restart, .heal:
                applied = false
            }
            guard applied else { continue }
            faults[fault, default: 0] += 1
            trace?("\(SimulationTime.format(cluster.now)) fault \(fault.rawValue) \(cluster.name(of: target)) "
                   + "(loss \(Int(cluster.network.lossRate * 100))%, partitioned \(cluster.network.isPartitioned))")
        }
        // Heal everything, bring crashed nodes back, and give convergence its full bound.
        cluster.network.heal()
        cluster.network.lossRate = 0
        cluster.network.duplicateRate = 0
        cluster.network.maximumDelay = .milliseconds(2)
        for index in 0..<nodes where !cluster.isRunning(index) && restartAt[index] != nil {
            cluster.restart(index, observer: &observer)
            faults[.restart, default: 0] += 1
        }
        while cluster.hasPausedHosts { cluster.run(for: .seconds(1), observer: &observer) }
        trace?("\(SimulationTime.format(cluster.now)) healed; quiet until the convergence check")
        cluster.run(for: observer.first.bounds.convergence + .seconds(2), observer: &observer)
        return Result(seed: seed, nodes: nodes, simulated: cluster.now - .zero, steps: cluster.step, faults: faults,
                      violations: observer.first.violations, checks: observer.first.checks)
    }
}

/// Writes each membership event as one trace line, when a writer is given.
struct TraceObserver: SimulationObserver {
    let emit: ((String) -> Void)?

    mutating func observe(_ record: StepRecord, in cluster: SimulatedCluster) {
        guard let emit else { return }
        for event in record.events {
            emit("\(SimulationTime.format(record.at)) \(cluster.name(of: record.node)): \(event.member.name) "
                 + "\(event.kind.rawValue) (incarnation \(event.member.incarnation))")
        }
    }
}
