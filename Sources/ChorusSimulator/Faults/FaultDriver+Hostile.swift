import ChorusCore

/// The hostile faults of a random run (`RandomFaultRun.hostile`), each drawn from the driver's
/// generator so a seed replays them.
extension FaultDriver {
    /// nil when the fault does not apply now; else what the trace adds to the fault's name.
    mutating func applyHostile(_ fault: RandomFaultRun.Fault, to target: Int) -> String?? {
        guard cluster.isRunning(target) else { return nil }
        switch fault {
        case .replay:
            // From another node's address or a spoofed one, to a node it was not sent to.
            let source = random.next(upperBound: UInt64(2)) == 0 ? otherRunning(than: target) : nil
            guard cluster.replayCaptured(from: nil, to: target, source: source) else { return nil }
            return .some(source.map { "from \(cluster.name(of: $0))" } ?? "from a spoofed address")
        case .reflect:
            let bait = ReflectionBait.allCases.randomElement(using: &random)!
            return cluster.reflect(bait, at: target) ? .some(bait.rawValue) : nil
        case .flood:
            guard let member = otherRunning(than: target) else { return nil }
            let kind = FloodKind.allCases.randomElement(using: &random)!
            let count = 50 + Int(random.next(upperBound: UInt64(350)))
            let over = Duration.milliseconds(Int64(200 + random.next(upperBound: UInt64(1_800))))
            cluster.flood(kind, at: target, as: member, count: count, over: over)
            return .some("\(count) \(kind.rawValue) as \(cluster.name(of: member)) over \(SimulationTime.format(over))")
        case .insider:
            guard let insider = otherRunning(than: target) else { return nil }
            let lie = InsiderLie.allCases.randomElement(using: &random)!
            let subject = lie.needsSubject ? otherRunning(than: insider) : nil
            if lie.needsSubject, subject == nil { return nil }
            // Most lies go to one node; one in four to every running node but the insider.
            let everyone = random.next(upperBound: UInt64(4)) == 0
            let targets = everyone ? (0..<nodes).filter { cluster.isRunning($0) && $0 != insider } : [target]
            guard cluster.lie(lie, by: insider, about: subject, to: targets) else { return nil }
            return .some("\(lie.rawValue)\(subject.map { " about \(cluster.name(of: $0))" } ?? "") by "
                         + "\(cluster.name(of: insider)) to \(everyone ? "all" : cluster.name(of: target))")
        case .ackReplay:
            cluster.replayAcks(of: [target])
            return .some(nil)
        default:
            return nil
        }
    }

    private mutating func otherRunning(than excluded: Int) -> Int? {
        let candidates = (0..<nodes).filter { $0 != excluded && cluster.isRunning($0) }
        guard !candidates.isEmpty else { return nil }
        return candidates[Int(random.next(upperBound: UInt64(candidates.count)))]
    }
}
