import ChorusCore

/// The hostile-network commands and expectations of scenario scripts (docs/scenarios.md).
extension ScenarioParser {
    /// `replay N to M [from K|spoofed]`, `replay acks of LIST`, `reflect BAIT at N`,
    /// `flood N with COUNT KIND as M over DURATION`, `lie N KIND [about M [at current]] to all|LIST`.
    func hostileCommand(_ keyword: String, _ arguments: [String]) throws(Problem) -> ScenarioCommand {
        switch keyword {
        case "replay":
            if arguments.count == 3, arguments[0] == "acks", arguments[1] == "of" {
                return .replayAcks(try nodeList(arguments[2]))
            }
            guard arguments.count == 3 || arguments.count == 5, arguments[1] == "to",
                  arguments.count == 3 || arguments[3] == "from" else {
                throw Problem(message: "expected 'replay N to M [from K|spoofed]' or 'replay acks of LIST'")
            }
            let (origin, target) = (try node(arguments[0]), try node(arguments[2]))
            guard origin != target else { throw Problem(message: "expected a replay to another node than its sender") }
            let source = arguments.count == 5 && arguments[4] != "spoofed" ? try node(arguments[4]) : nil
            return .replay(from: origin, to: target, source: source)
        case "reflect":
            guard arguments.count == 3, arguments[1] == "at" else { throw Problem(message: "expected 'reflect BAIT at N'") }
            guard let bait = ReflectionBait(rawValue: arguments[0]) else {
                throw Problem(message: "expected a bait (\(ReflectionBait.allCases.map(\.rawValue).joined(separator: ", "))), got '\(arguments[0])'")
            }
            return .reflect(bait, at: try node(arguments[2]))
        case "flood":
            guard arguments.count == 8, arguments[1] == "with", arguments[4] == "as", arguments[6] == "over" else {
                throw Problem(message: "expected 'flood N with COUNT KIND as M over DURATION'")
            }
            guard let kind = FloodKind(rawValue: arguments[3]) else {
                throw Problem(message: "expected a flood kind (\(FloodKind.allCases.map(\.rawValue).joined(separator: ", "))), got '\(arguments[3])'")
            }
            let (target, member) = (try node(arguments[0]), try node(arguments[5]))
            guard target != member else { throw Problem(message: "expected the flood to claim another node's id") }
            return .flood(kind, at: target, as: member, count: try count(arguments[2]), over: try duration(arguments[7]))
        default:
            guard arguments.count >= 4, let lie = InsiderLie(rawValue: arguments[1]) else {
                throw Problem(message: "expected 'lie N KIND [about M] to all|LIST' with KIND one of "
                    + InsiderLie.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let insider = try node(arguments[0])
            var rest = arguments[2...]
            var subject: Int?
            var atCurrent = false
            if rest.first == "about", rest.count >= 2 {
                subject = try node(rest[rest.startIndex + 1])
                rest = rest.dropFirst(2)
                if rest.starts(with: ["at", "current"]) {
                    guard lie == .suspect || lie == .dead else {
                        throw Problem(message: "expected 'at current' only on a suspect or dead lie")
                    }
                    atCurrent = true
                    rest = rest.dropFirst(2)
                }
            }
            guard lie.needsSubject == (subject != nil) else {
                throw Problem(message: lie.needsSubject ? "expected 'about M': a \(lie.rawValue) lie is about another node"
                                                        : "expected no 'about M' for a \(lie.rawValue) lie")
            }
            guard rest.count >= 2, rest.first == "to" else { throw Problem(message: "expected 'to all|LIST'") }
            return .lie(lie, by: insider, about: subject, to: try observers(rest.dropFirst()), atCurrent: atCurrent)
        }
    }

    /// `expect rejected N REASON at most|at least K`.
    func rejectedExpectation(_ arguments: [String]) throws(Problem) -> ScenarioExpectation {
        guard arguments.count == 6, arguments[3] == "at", ["most", "least"].contains(arguments[4]),
              let count = UInt64(arguments[5]) else {
            throw Problem(message: "expected 'expect rejected N REASON at most|at least K'")
        }
        guard RejectReason(rawValue: arguments[2]) != nil else {
            throw Problem(message: "expected a rejection reason (\(RejectReason.allCases.map(\.rawValue).joined(separator: ", "))), got '\(arguments[2])'")
        }
        return .rejected(try node(arguments[1]), reason: arguments[2], atMost: arguments[4] == "most", count: count)
    }
}
