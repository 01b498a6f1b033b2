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
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, (try? String(contentsOfFile: finished, encoding: .utf8)) == nil {
            try await Task.sleep(for: .milliseconds(20))
        }
        let lines = try String(contentsOfFile: all, encoding: .utf8).split(separator: "\n")
        #expect(lines.map { $0.split(separator: " ").first.map(String.init) } == ["upgrade-started", "member-join", "upgrade-finished"])
        #expect(lines[1].contains("\"name\":\"node-2\""))
        let finishedJSON = try String(contentsOfFile: finished, encoding: .utf8)
        let event = try JSONDecoder().decode(AgentEvent.self, from: Data(finishedJSON.utf8))
        #expect(event.event == "upgrade-finished")
        #expect(event.id == 3)
    }

    @Test func malformedEntriesAreRejected() {
        #expect(throws: HookConfigurationError.self) { try EventHooks(entries: ["no-equals-sign"]) }
        #expect(throws: HookConfigurationError.self) { try EventHooks(entries: ["=command"]) }
    }
}
