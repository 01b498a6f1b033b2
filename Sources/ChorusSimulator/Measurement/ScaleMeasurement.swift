import ChorusCore
import ChorusWire
import RealModule

/// The scale figures of issue 3, measured on one simulated cluster: how fast news and deaths
/// reach every node, what each node sends, and how many live nodes are wrongly declared dead.
public struct ScaleMeasurement {
    /// How the measured cluster comes to be.
    public enum Start: String, Sendable, CaseIterable {
        /// Every node boots at once and joins through three seeds; the founder's decision log
        /// admits them as voters one by one.
        case join
        /// Every node boots knowing every other (`SimulatedCluster(convergedSize:)`), as after a
        /// long-running join, with no decision log: membership only. For sizes where the join
        /// storm and N - 1 admissions would dominate the run; every report of it says so.
        case converged
    }

    public struct Figures: Sendable {
        public let nodes: Int
        public let loss: Double
        public let signatures: IdentityFactory.Signatures
        public let start: Start
        /// Simulated seconds until every node had joined every other (nil: never, or a converged start).
        public let convergedAfter: Double?
        /// Simulated seconds until the join's news had died down and the idle window began.
        public let settledAt: Double
        /// Seconds from a heartbeat change at one node until the last other node has it.
        public let propagation: Summary?
        /// Relay generations until the last node had it (gossip rounds, against log2 N).
        public let propagationRounds: Summary?
        /// Seconds from a crash until the last live node declares it dead.
        public let detection: Summary?
        /// Per node per second while nothing happens, and over the whole measured run.
        public let idleMessages: Double
        public let idleBytes: Double
        public let overallMessages: Double
        public let overallBytes: Double
        public let falseDeaths: Int
        public let nodeHours: Double
        public let simulatedSeconds: Double
        public let steps: UInt64

        /// log2(N): the rounds push gossip needs at best.
        public var roundsFloor: Double { Double.log2(Double(nodes)) }
    }

    public var nodes: Int
    public var loss: Double
    public var seed: UInt64
    public var settings: MembershipSettings = .lan
    public var signatures: IdentityFactory.Signatures = .ed25519
    public var start = Start.join
    public var propagationSamples = 20
    public var detectionSamples = 5
    public var idleWindow: Duration = .seconds(30)

    public init(nodes: Int, loss: Double, seed: UInt64) {
        self.nodes = nodes
        self.loss = loss
        self.seed = seed
    }

    public func run(progress: (String) -> Void = { _ in }) -> Figures {
        var cluster = switch start {
        case .join: SimulatedCluster(size: nodes, seed: seed, settings: settings, signatures: signatures)
        case .converged: SimulatedCluster(convergedSize: nodes, seed: seed, settings: settings, signatures: signatures)
        }
        var observer = FigureObserver(size: nodes)
        var random = SeededRandom(seed: seed ^ 0x6669_6775_7265_7321)

        var convergedAfter: Double?
        while start == .join, cluster.now < Instant.zero + .seconds(300) {
            cluster.run(for: .seconds(1), observer: &observer)
            if observer.minimumJoinsSeen >= nodes - 1 {
                convergedAfter = Self.seconds(cluster.now - .zero)
                break
            }
        }
        progress(start == .converged ? "converged start: \(MemoryCensus(cluster))"
                 : "joined after \(convergedAfter.map { "\($0) s" } ?? "never")")
        // The join storm's news is still being retransmitted (each of N joins, to every node, a
        // log-scaled number of times); idle begins when no node has anything left to gossip.
        while cluster.now < Instant.zero + .seconds(900),
              (0..<nodes).contains(where: { cluster.core(of: $0)?.hasQueuedNews == true }) {
            cluster.run(for: .seconds(1), observer: &observer)
        }
        let settledAt = Self.seconds(cluster.now - .zero)
        progress("settled at \(settledAt) s")
        progress("memory: \(MemoryCensus(cluster))")
        cluster.network.lossRate = loss
        observer.countFalseDeaths = true
        let measuredFrom = cluster.now
        let sentBefore = Self.sent(cluster)
        cluster.startTrafficBreakdown()

        cluster.run(for: idleWindow, observer: &observer)
        let idle = Self.sent(cluster)
        let idleSeconds = Self.seconds(idleWindow) * Double(nodes)
        let idleTraffic = cluster.traffic!.summary(nodeSeconds: idleSeconds)
        progress("idle window done; idle bytes per node per second: \(idleTraffic)")
        let probes = (0..<nodes).compactMap { cluster.core(of: $0)?.counters }
            .reduce(into: (sent: UInt64(0), failed: UInt64(0), refuted: UInt64(0))) {
                $0.sent += $1.probesSent
                $0.failed += $1.probesFailed
                $0.refuted += $1.refutations
            }
        progress("since start: \(probes.sent) probes, \(probes.failed) failed, \(probes.refuted) refutations")

        var propagation: [Double] = []
        var rounds: [Double] = []
        for _ in 0..<propagationSamples {
            let subject = Int(random.next(upperBound: UInt64(nodes)))
            guard cluster.isRunning(subject) else { continue }
            let state: ServingState = cluster.view(of: subject, seenBy: subject)?.serving == .serving ? .draining : .serving
            switch Self.time(&cluster, &observer, subject: subject, limit: .seconds(60), matches: { event in
                event.kind == .memberUpdate && event.member.serving == state
            }, start: { $0.setServing(subject, state, observer: &$1) }) {
            case .success(let (took, hops)):
                propagation.append(took)
                rounds.append(Double(hops))
            case .failure(let missed):
                progress("propagation sample left out: \(missed.description(in: cluster, subject: subject))")
            }
        }
        progress("propagation done")

        var detection: [Double] = []
        for _ in 0..<detectionSamples {
            let subject = Int(random.next(upperBound: UInt64(nodes)))
            guard cluster.isRunning(subject) else { continue }
            switch Self.time(&cluster, &observer, subject: subject, limit: .seconds(120), matches: {
                $0.kind == .memberFailed
            }, start: { cluster, _ in cluster.crash(subject) }) {
            case .success(let (took, _)): detection.append(took)
            case .failure(let missed): progress("detection sample left out: \(missed.description(in: cluster, subject: subject))")
            }
        }
        progress("detection done")
        progress("memory: \(MemoryCensus(cluster))")
        // The nodes whose own suspicion timer ran out first; the others were told.
        for death in observer.falseDeaths where death.cause == .timer {
            progress("false death at \(death.at): node \(death.node)'s timer declared node \(death.subject) dead")
        }

        let overall = Self.sent(cluster)
        let measuredSeconds = Self.seconds(cluster.now - measuredFrom)
        let nodeSeconds = measuredSeconds * Double(nodes)
        return Figures(
            nodes: nodes, loss: loss, signatures: signatures, start: start, convergedAfter: convergedAfter, settledAt: settledAt,
            propagation: Summary(propagation), propagationRounds: Summary(rounds),
            detection: Summary(detection),
            idleMessages: Double(idle.messages - sentBefore.messages) / idleSeconds,
            idleBytes: Double(idle.bytes - sentBefore.bytes) / idleSeconds,
            overallMessages: Double(overall.messages - sentBefore.messages) / nodeSeconds,
            overallBytes: Double(overall.bytes - sentBefore.bytes) / nodeSeconds,
            falseDeaths: observer.falseDeaths.count, nodeHours: nodeSeconds / 3600,
            simulatedSeconds: Self.seconds(cluster.now - .zero), steps: cluster.step)
    }

    /// The running nodes that still lacked a sample's news when its limit ran out.
    struct MissedSample: Error {
        let nodes: [Int]

        func description(in cluster: SimulatedCluster, subject: Int) -> String {
            let shown = nodes.prefix(5).map { node in
                let view = cluster.view(of: subject, seenBy: node)
                return "\(cluster.name(of: node)) (sees \(cluster.name(of: subject)) "
                    + "\(view.map { "\($0.status.rawValue), \($0.serving), incarnation \($0.incarnation)" } ?? "not at all"))"
            }
            let own = cluster.view(of: subject, seenBy: subject).map { "\($0.serving), incarnation \($0.incarnation)" } ?? "down"
            return "\(nodes.count) nodes lacked \(cluster.name(of: subject))'s news (it is \(own)): \(shown.joined(separator: ", "))"
        }
    }

    /// Starts something and returns the seconds until every other running node has the news and
    /// the relay generations it took, or the nodes that still lack it after `limit`.
    private static func time(_ cluster: inout SimulatedCluster, _ observer: inout FigureObserver, subject: Int,
                             limit: Duration, matches: @escaping @Sendable (MembershipEvent) -> Bool,
                             start: (inout SimulatedCluster, inout FigureObserver) -> Void) -> Result<(Double, Int), MissedSample> {
        observer.watch = .init(subject: cluster.nodeID(of: subject), startedAt: cluster.now, matches: matches)
        start(&cluster, &observer)
        let startedAt = cluster.now
        let waiting = (0..<cluster.size).filter { $0 != subject && cluster.isRunning($0) }
        while cluster.now - startedAt < limit {
            cluster.run(for: .milliseconds(100), observer: &observer)
            let learned = observer.watch!.learnedAt
            if waiting.allSatisfy({ learned[$0] != nil || !cluster.isRunning($0) }) {
                let last = waiting.compactMap { learned[$0] }.max() ?? startedAt
                let hops = observer.watch!.hops.values.max() ?? 0
                observer.watch = nil
                // Let the news finish spreading before the next sample.
                cluster.run(for: .seconds(2), observer: &observer)
                return .success((seconds(last - startedAt), hops))
            }
        }
        let learned = observer.watch!.learnedAt
        observer.watch = nil
        return .failure(MissedSample(nodes: waiting.filter { learned[$0] == nil && cluster.isRunning($0) }))
    }

    private static func sent(_ cluster: SimulatedCluster) -> (messages: UInt64, bytes: UInt64) {
        (cluster.datagramsSent, cluster.bytesSent)
    }

    static func seconds(_ duration: Duration) -> Double { Double(duration.nanoseconds) / 1e9 }
}
