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
        let hooks = try EventHooks(entries: [
            "*=echo \"$CHORUS_EVENT $(cat)\" >> \(all)",
            "upgrade-finished=cat >> \(finished)",
        ])
        let journal = EventJournal(node: "node-1")
        let runner = Task { await hooks.run(journal: journal, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }) }
        defer { runner.cancel() }
        try await Task.sleep(for: .milliseconds(100))
        journal.record("upgrade-started", cluster: ClusterResponse(FakeStatusSource.stableCluster))
        journal.record("member-join", member: MemberResponse(FakeStatusSource.member("node-2", seed: 2)))
        journal.record("upgrade-finished", cluster: ClusterResponse(FakeStatusSource.stableCluster))
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

    @Test func malformedEntriesAreRejected() {
        #expect(throws: HookConfigurationError.self) { try EventHooks(entries: ["no-equals-sign"]) }
        #expect(throws: HookConfigurationError.self) { try EventHooks(entries: ["=command"]) }
    }
}
