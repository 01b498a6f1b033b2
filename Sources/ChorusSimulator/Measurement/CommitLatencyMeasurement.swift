import ChorusCore

/// Issue 4's commit latency in the simulator: on a cluster whose every node has been admitted
/// as a voter, the time from an operator command at one host until every running host has
/// decided it. Commands alternate start and cancel of an upgrade (both plain decisions).
public struct CommitLatencyMeasurement {
    public struct Figures: Sendable {
        public let nodes: Int
        public let signatures: IdentityFactory.Signatures
        /// Simulated seconds until every host saw every node a voter (nil: not within the limit).
        public let formedAfter: Double?
        /// The fewest voters any running host saw when formation ended or gave up.
        public let votersAtEnd: Int
        /// What every node sent per second, on average, while the cluster formed.
        public let formationBytesPerNodePerSecond: Double
        /// Milliseconds from submission to the last running host deciding the command.
        public let latency: Summary?
        /// Bytes the whole cluster sent from a command's submission until every host decided it.
        public let bytesPerCommand: Double?
        public let simulatedSeconds: Double
    }

    public var nodes: Int
    public var seed: UInt64
    public var settings: MembershipSettings = .lan
    public var signatures: IdentityFactory.Signatures = .ed25519
    public var samples = 10
    public var formationLimit: Duration = .seconds(600)

    public init(nodes: Int, seed: UInt64) {
        self.nodes = nodes
        self.seed = seed
    }

    public func run(progress: (String) -> Void = { _ in }) -> Figures {
        var cluster = SimulatedCluster(size: nodes, seed: seed, settings: settings, signatures: signatures)
        var observer = CommitObserver()
        var formedAfter: Double?
        while cluster.now < .zero + formationLimit {
            cluster.run(for: .seconds(1), observer: &observer)
            let voters = Self.fewestVoters(cluster)
            if Int(ScaleMeasurement.seconds(cluster.now - .zero)) % 10 == 0 {
                progress("\(ScaleMeasurement.seconds(cluster.now - .zero)) s: every host sees at least \(voters) voters")
            }
            if voters == nodes {
                formedAfter = ScaleMeasurement.seconds(cluster.now - .zero)
                break
            }
        }
        let formationSeconds = ScaleMeasurement.seconds(cluster.now - .zero)
        let formationBytes = Double(cluster.bytesSent) / formationSeconds / Double(nodes)
        let votersAtEnd = Self.fewestVoters(cluster)
        progress("formed after \(formedAfter.map { "\($0) s" } ?? "never"): \(MemoryCensus(cluster))")
        guard formedAfter != nil else {
            return Figures(nodes: nodes, signatures: signatures, formedAfter: nil, votersAtEnd: votersAtEnd,
                           formationBytesPerNodePerSecond: formationBytes, latency: nil, bytesPerCommand: nil,
                           simulatedSeconds: formationSeconds)
        }
        // Let the last admission's proof and any catch-up finish before timing anything.
        cluster.run(for: .seconds(2), observer: &observer)

        var random = SeededRandom(seed: seed ^ 0x636F_6D6D_6974_2121)
        var latencies: [Double] = []
        var commandBytes: UInt64 = 0
        for sample in 0..<samples {
            let host = Int(random.next(upperBound: UInt64(nodes)))
            guard let slot = cluster.core(of: host)?.decisions.nextSlot else { continue }
            observer.watchedFrom = slot
            let command: OperatorCommand = sample.isMultiple(of: 2) ? .startUpgrade : .cancelUpgrade
            let submittedAt = cluster.now
            let bytesBefore = cluster.bytesSent
            guard let requestID = cluster.submit(command, at: host, observer: &observer) else { continue }
            while cluster.now - submittedAt < .seconds(30) {
                cluster.run(for: .milliseconds(10), observer: &observer)
                let running = (0..<nodes).filter { cluster.isRunning($0) }
                if let decided = observer.decidedAt[slot], running.allSatisfy({ decided[$0] != nil }) { break }
            }
            let outcome = cluster.commands[Int(requestID) - 1].outcome
            guard case .committed(let committedSlot, _)? = outcome, committedSlot == slot,
                  let decided = observer.decidedAt[slot], let last = decided.values.max() else {
                progress("command \(sample) (\(command)) at node \(host): \(outcome.map { "\($0)" } ?? "no answer")")
                continue
            }
            let latency = ScaleMeasurement.seconds(last - submittedAt) * 1000
            let committedAt = decided[host].map { "\(ScaleMeasurement.seconds($0 - submittedAt) * 1000) ms" } ?? "?"
            let lastHost = decided.max { ($0.value, $0.key) < ($1.value, $1.key) }?.key ?? host
            progress("command \(sample) (\(command)) at node \(host): slot \(slot) decided there after \(committedAt), "
                     + "everywhere after \(latency) ms (last: node \(lastHost))")
            latencies.append(latency)
            commandBytes += cluster.bytesSent - bytesBefore
            cluster.run(for: .seconds(1), observer: &observer)
        }
        progress("commands done: \(MemoryCensus(cluster))")
        return Figures(
            nodes: nodes, signatures: signatures, formedAfter: formedAfter, votersAtEnd: votersAtEnd,
            formationBytesPerNodePerSecond: formationBytes, latency: Summary(latencies),
            bytesPerCommand: latencies.isEmpty ? nil : Double(commandBytes) / Double(latencies.count),
            simulatedSeconds: ScaleMeasurement.seconds(cluster.now - .zero))
    }

    private static func fewestVoters(_ cluster: SimulatedCluster) -> Int {
        (0..<cluster.size).compactMap { cluster.agreedState(of: $0)?.voters.count }.min() ?? 0
    }
}
