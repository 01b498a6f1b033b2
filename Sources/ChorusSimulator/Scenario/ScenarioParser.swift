import ChorusCore

/// Reads a script line by line. It tracks the cluster's size so that a node number beyond it
/// is an error in the file rather than a crash in the run.
struct ScenarioParser {
    let file: String
    private var preset = "lan"
    private var settings = MembershipSettings.lan
    private var seed: UInt64?
    private var nodes: Int?
    private var size = 0
    private var steps: [ScenarioScript.Step] = []
    /// Operator commands given so far: `expect command N` may name only these.
    var commandsGiven = 0

    init(file: String) { self.file = file }

    /// A problem on the line being read; `parse` adds the file and line.
    struct Problem: Error { let message: String }

    mutating func parse(_ text: String) throws(ScenarioParseError) -> ScenarioScript {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let first = lines.first.map { $0.drop { $0.isWhitespace } } ?? ""
        guard first.hasPrefix("#"), !first.dropFirst().allSatisfy(\.isWhitespace) else {
            throw ScenarioParseError(file: file, line: 1,
                                     message: "expected a first line '# what this scenario checks'")
        }
        for (offset, line) in lines.enumerated() {
            let code = line.prefix { $0 != "#" }
            let words = code.split(whereSeparator: \.isWhitespace).map(String.init)
            guard !words.isEmpty else { continue }
            do {
                try read(words, line: offset + 1)
            } catch {
                throw ScenarioParseError(file: file, line: offset + 1, message: error.message)
            }
        }
        guard let nodes else {
            throw ScenarioParseError(file: file, line: lines.count, message: "expected a 'nodes N' line")
        }
        let summary = String(first.dropFirst().drop { $0.isWhitespace })
        return ScenarioScript(file: file, summary: summary, preset: preset, settings: settings, seed: seed,
                              nodes: nodes, steps: steps)
    }

    private mutating func read(_ words: [String], line: Int) throws(Problem) {
        let arguments = Array(words.dropFirst())
        switch words[0] {
        case "preset", "seed", "nodes":
            guard nodes == nil else {
                throw Problem(message: words[0] == "nodes" ? "expected one 'nodes' line ('add-nodes N' starts more)"
                                                           : "expected '\(words[0])' before 'nodes'")
            }
            try readHeader(words[0], arguments)
        default:
            guard nodes != nil else { throw Problem(message: "expected 'nodes N' before '\(words[0])'") }
            let command = try self.command(words[0], arguments)
            if case .addNodes(let count) = command { size += count }
            if case .operate = command { commandsGiven += 1 }
            steps.append(ScenarioScript.Step(line: line, text: words.joined(separator: " "), command: command))
        }
    }

    private mutating func readHeader(_ keyword: String, _ arguments: [String]) throws(Problem) {
        let word = try single(arguments, "a value")
        switch keyword {
        case "preset":
            switch word {
            case "lan": settings = .lan
            case "local": settings = .local
            case "wan": settings = .wan
            default: throw Problem(message: "expected preset lan, local or wan, got '\(word)'")
            }
            preset = word
        case "seed":
            guard let value = UInt64(word) else { throw Problem(message: "expected a seed (an integer), got '\(word)'") }
            seed = value
        default:
            let count = try self.count(word)
            nodes = count
            size = count
        }
    }

    private func command(_ keyword: String, _ arguments: [String]) throws(Problem) -> ScenarioCommand {
        switch keyword {
        case "add-nodes": return .addNodes(try count(single(arguments, "a number of nodes")))
        case "kill": return arguments == ["runner"] ? .killRunner : .kill(try nodeList(arguments.joined()))
        case "restart":
            guard arguments.count == 1 || arguments.count == 3 && arguments[1] == "version" else {
                throw Problem(message: "expected 'restart N' or 'restart N version X.Y.Z'")
            }
            return .restart(try node(arguments[0]), version: arguments.count == 3 ? try version(arguments[2]) : nil)
        case "leave": return .leave(try node(single(arguments, "a node number")))
        case "pause":
            guard arguments.count == 2 else { throw Problem(message: "expected 'pause N DURATION'") }
            return .pause(try node(arguments[0]), for: try duration(arguments[1]))
        case "starve":
            guard arguments.count == 6, arguments[2] == "stall", arguments[4] == "every" else {
                throw Problem(message: "expected 'starve LIST DURATION stall DURATION every DURATION'")
            }
            let (stall, period) = (try duration(arguments[3]), try duration(arguments[5]))
            guard stall < period else { throw Problem(message: "expected a stall shorter than its period") }
            return .starve(try nodeList(arguments[0]), for: try duration(arguments[1]), stall: stall, every: period)
        case "drift":
            guard arguments.count == 2 else { throw Problem(message: "expected 'drift N +2000ppm'") }
            return .drift(try node(arguments[0]), ppm: try ppm(arguments[1]))
        case "partition":
            let (side, other) = try sides(arguments, separator: "|")
            return .partition(side, other)
        case "block":
            let (senders, receivers) = try sides(arguments, separator: "->")
            return .block(from: senders, to: receivers)
        case "heal":
            guard arguments.isEmpty else { throw Problem(message: "expected nothing after 'heal'") }
            return .heal
        case "loss": return .loss(try percent(single(arguments, "a percentage")))
        case "duplicate": return .duplicate(try percent(single(arguments, "a percentage")))
        case "delay":
            let bounds = try single(arguments, "a delay range like 1ms..50ms").split(separator: "..", omittingEmptySubsequences: false)
            guard bounds.count == 2 else { throw Problem(message: "expected a delay range like 1ms..50ms") }
            let (low, high) = (try duration(String(bounds[0])), try duration(String(bounds[1])))
            guard low <= high else { throw Problem(message: "expected the smaller delay first") }
            return .delay(low, high)
        case "forge":
            guard arguments.count == 3, arguments[1] == "to" else { throw Problem(message: "expected 'forge KIND to N'") }
            guard let forgery = Forgery(rawValue: arguments[0]) else {
                throw Problem(message: "expected a forgery kind (\(Forgery.allCases.map(\.rawValue).joined(separator: ", "))), got '\(arguments[0])'")
            }
            return .forge(forgery, to: try node(arguments[2]))
        case "run": return .run(try duration(single(arguments, "a duration")))
        case "expect": return .expect(try expectation(arguments))
        case "upgrade", "remove", "revoke", "tasks", "reboot": return try upgradeCommand(keyword, arguments)
        case "rollout": return try rolloutCommand(arguments)
        case "replay", "reflect", "flood", "lie": return try hostileCommand(keyword, arguments)
        default:
            throw Problem(message: "expected a command (add-nodes, kill, restart, leave, pause, starve, drift, partition, "
                + "block, heal, loss, duplicate, delay, forge, replay, reflect, flood, lie, run, upgrade, remove, revoke, "
                + "tasks, reboot, rollout, expect), got '\(keyword)'")
        }
    }

    private func expectation(_ arguments: [String]) throws(Problem) -> ScenarioExpectation {
        switch arguments.first {
        case "converged" where arguments.count == 1: return .converged
        case "violations" where arguments == ["violations", "none"]: return .noViolations
        case "violation" where arguments.count == 2:
            guard let invariant = Violation.Invariant(rawValue: arguments[1]) else {
                throw Problem(message: "expected an invariant (\(Violation.Invariant.allCases.map(\.rawValue).joined(separator: ", "))), got '\(arguments[1])'")
            }
            return .violation(invariant)
        case "no" where arguments.count == 2:
            guard let kind = MembershipEvent.Kind(rawValue: arguments[1]) else {
                throw Problem(message: "expected an event kind (\(MembershipEvent.Kind.allCases.map(\.rawValue).joined(separator: ", "))), got '\(arguments[1])'")
            }
            return .noEvent(kind)
        case "member" where arguments.count >= 5 && arguments[3] == "at":
            return .member(try node(arguments[1]), try status(arguments[2]), at: try observers(arguments[4...]))
        case "version" where arguments.count >= 5 && arguments[3] == "at":
            return .version(try node(arguments[1]), try version(arguments[2]), at: try observers(arguments[4...]))
        case "incarnation" where arguments.count >= 6 && arguments[2] == "above" && arguments[4] == "at":
            guard let floor = UInt64(arguments[3]) else {
                throw Problem(message: "expected an incarnation (an integer), got '\(arguments[3])'")
            }
            return .incarnation(try node(arguments[1]), above: floor, at: try observers(arguments[5...]))
        case "state", "cluster-version", "tasks-finished", "tasks-started", "command", "slot", "rollout":
            return try upgradeExpectation(arguments)
        case "rejected":
            return try rejectedExpectation(arguments)
        default:
            throw Problem(message: "expected 'expect member N STATUS at all|LIST', 'expect version N X.Y.Z at all|LIST', "
                + "'expect incarnation N above K at all|LIST', 'expect converged', 'expect no EVENT', "
                + "'expect violations none', 'expect violation INVARIANT', 'expect state STATE at all|LIST', "
                + "'expect cluster-version X.Y.Z at all|LIST', 'expect tasks-finished N', 'expect tasks-started N', "
                + "'expect command N committed|rejected|no-quorum|pending', 'expect slot N|none at all|LIST', "
                + "'expect rollout STATE at all|LIST' "
                + "or 'expect rejected N REASON at most|at least K'")
        }
    }

    // MARK: Values

    func single(_ arguments: [String], _ what: String) throws(Problem) -> String {
        guard arguments.count == 1 else { throw Problem(message: "expected \(what)") }
        return arguments[0]
    }

    func count(_ word: String) throws(Problem) -> Int {
        guard let count = Int(word), count > 0 else { throw Problem(message: "expected a positive count, got '\(word)'") }
        return count
    }

    /// A 1-based node number of the cluster as it is at this line, returned 0-based.
    func node(_ word: String) throws(Problem) -> Int {
        guard let number = Int(word), (1...max(1, size)).contains(number) else {
            throw Problem(message: "expected a node number 1...\(size), got '\(word)'")
        }
        return number - 1
    }

    /// `1,2,5` or `1..3` or a mix: `1..3,5`.
    func nodeList(_ text: String) throws(Problem) -> [Int] {
        var nodes: [Int] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let ends = item.split(separator: "..", omittingEmptySubsequences: false)
            guard ends.count <= 2 else { throw Problem(message: "expected a node list like 1,2 or 1..3, got '\(text)'") }
            let low = try node(String(ends[0]))
            let high = try node(String(ends[ends.count - 1]))
            guard low <= high else { throw Problem(message: "expected a rising range, got '\(item)'") }
            nodes += Array(low...high)
        }
        guard Set(nodes).count == nodes.count else { throw Problem(message: "expected each node once in '\(text)'") }
        return nodes
    }

    private func sides(_ arguments: [String], separator: String) throws(Problem) -> ([Int], [Int]) {
        let halves = arguments.joined().split(separator: separator, omittingEmptySubsequences: false)
        guard halves.count == 2 else { throw Problem(message: "expected two node lists: 'A \(separator) B'") }
        let (side, other) = (try nodeList(String(halves[0])), try nodeList(String(halves[1])))
        guard Set(side).isDisjoint(with: other) else { throw Problem(message: "expected no node on both sides") }
        return (side, other)
    }

    func observers(_ arguments: ArraySlice<String>) throws(Problem) -> ScenarioObservers {
        arguments == ["all"] ? .all : .nodes(try nodeList(arguments.joined()))
    }

    /// A number with a unit: `250ms`, `30s`, `2m` (the CLI's `SimulationTime.parse`).
    func duration(_ word: String) throws(Problem) -> Duration {
        guard let duration = SimulationTime.parse(word) else {
            throw Problem(message: "expected a duration like 250ms, 30s or 2m, got '\(word)'")
        }
        return duration
    }

    /// nil: `unknown`, the observer has no entry for the member.
    private func status(_ word: String) throws(Problem) -> MemberStatus? {
        if word == "unknown" { return nil }
        guard let status = MemberStatus(rawValue: word) else {
            throw Problem(message: "expected a status (alive, suspect, dead, left, unknown), got '\(word)'")
        }
        return status
    }

    private func percent(_ word: String) throws(Problem) -> Double {
        guard word.hasSuffix("%"), let value = Double(word.dropLast()), (0...100).contains(value) else {
            throw Problem(message: "expected a percentage like 10%, got '\(word)'")
        }
        return value / 100
    }

    private func ppm(_ word: String) throws(Problem) -> Int64 {
        guard word.hasSuffix("ppm"), let value = Int64(word.dropLast(3)), abs(value) < 1_000_000 else {
            throw Problem(message: "expected a drift like +2000ppm or -20000ppm, got '\(word)'")
        }
        return value
    }

    func version(_ word: String) throws(Problem) -> String {
        let parts = word.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ UInt($0) != nil }) else {
            throw Problem(message: "expected a version X.Y.Z, got '\(word)'")
        }
        return word
    }
}
