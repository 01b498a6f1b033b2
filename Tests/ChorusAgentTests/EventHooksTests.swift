import ChorusCore
import Foundation
import Logging
import Testing

@testable import ChorusAgent

@Suite("Event hooks", .serialized)
struct EventHooksTests {
    @Test func hooksGetEachMatchingEventOnceInOrder() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-hooks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let all = directory.appendingPathComponent("all.log").path
        let finished = directory.appendingPathComponent("finished.log").path
        let hooks = EventHooks(try [
            "*=echo \"$CHORUS_EVENT $(cat)\" >> \(all)",
            "upgrade-finished=cat >> \(finished)",
        ].map(EventHook.init(parsing:)))
        let journal = EventJournal(node: "node-1")
        let runner = Task { await hooks.run(journal: journal, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }) }
        defer { runner.cancel() }
        try await Task.sleep(for: .milliseconds(100))
        journal.record(.upgradeStarted, cluster: ClusterResponse(FakeStatusSource.stableCluster))
        journal.record(.memberJoin, member: MemberResponse(FakeStatusSource.member("node-2", seed: 2)))
        journal.record(.upgradeFinished, cluster: ClusterResponse(FakeStatusSource.stableCluster))
        // The shell creates the file before `cat` has written to it: wait for a whole event, not for the file.
        func finishedEvent() -> AgentEvent? {
            guard let data = FileManager.default.contents(atPath: finished) else { return nil }
            return try? JSONDecoder().decode(AgentEvent.self, from: data)
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, finishedEvent() == nil {
            try await Task.sleep(for: .milliseconds(20))
        }
        let event = try #require(finishedEvent())
        #expect(event.event == "upgrade-finished")
        #expect(event.id == 3)
        let lines = try String(contentsOfFile: all, encoding: .utf8).split(separator: "\n")
        #expect(lines.map { $0.split(separator: " ").first.map(String.init) } == ["upgrade-started", "member-join", "upgrade-finished"])
        #expect(lines[1].contains("\"name\":\"node-2\""))
    }

    /// A join storm forks one hook process per window, not one per member (issue 16), and the
    /// batch keeps the events' order around a cluster event, which is never held back.
    @Test func memberEventsWithinTheWindowReachAHookInOneProcess() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-coalesce-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let forks = directory.appendingPathComponent("forks.log").path
        let events = directory.appendingPathComponent("events.log").path
        let hooks = EventHooks(try ["*=echo \"$CHORUS_EVENT $CHORUS_EVENT_COUNT\" >> \(forks); cat >> \(events)"].map(EventHook.init(parsing:)),
                                   coalescePeriod: .milliseconds(300))
        let journal = EventJournal(node: "node-1")
        let runner = Task { await hooks.run(journal: journal, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }) }
        defer { runner.cancel() }
        try await Task.sleep(for: .milliseconds(100))
        for index in 2...26 { journal.record(.memberJoin, member: MemberResponse(FakeStatusSource.member("node-\(index)", seed: UInt8(index)))) }
        journal.record(.upgradeStarted, cluster: ClusterResponse(FakeStatusSource.stableCluster))
        journal.record(.memberFailed, member: MemberResponse(FakeStatusSource.member("node-2", seed: 2)))
        journal.record(.memberJoin, member: MemberResponse(FakeStatusSource.member("node-27", seed: 27)))

        func delivered() -> [AgentEvent] {
            let text = (try? String(contentsOfFile: events, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(AgentEvent.self, from: Data($0.utf8)) }
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, delivered().count < 28 {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(delivered().map(\.id) == Array(1...28), "every event once, in order")
        let forked = try String(contentsOfFile: forks, encoding: .utf8).split(separator: "\n")
        #expect(forked == ["member-join 25", "upgrade-started 1", "member-failed,member-join 2"])
    }

    /// The hook runner starts beside the gossip service: events the journal took before the
    /// runner's first look (the agent's first joins) are hooked all the same.
    @Test func eventsRecordedBeforeTheRunnerStartsAreHooked() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-early-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let names = directory.appendingPathComponent("names.log").path
        let hooks = EventHooks(try ["*=echo \"$CHORUS_EVENT\" >> \(names)"].map(EventHook.init(parsing:)))
        let journal = EventJournal(node: "node-1")
        journal.record(.memberJoin, member: MemberResponse(FakeStatusSource.member("node-2", seed: 2)))
        journal.record(.upgradeStarted, cluster: ClusterResponse(FakeStatusSource.stableCluster))
        let runner = Task { await hooks.run(journal: journal, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }) }
        defer { runner.cancel() }
        func hooked() -> [String] { ((try? String(contentsOfFile: names, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, hooked().count < 2 {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(hooked() == ["member-join", "upgrade-started"])
    }

    @Test func malformedEntriesAreRejected() {
        #expect(throws: HookConfigurationError.self) { try EventHook(parsing: "no-equals-sign") }
        #expect(throws: HookConfigurationError.self) { try EventHook(parsing: "=command") }
        let hook = try? EventHook(parsing: "*=env A=1 run")
        #expect(hook?.event == "*" && hook?.command == "env A=1 run", "the command keeps its own '='")
    }
}
