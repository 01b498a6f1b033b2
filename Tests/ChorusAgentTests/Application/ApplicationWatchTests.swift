import ChorusCore
import Foundation
import Logging
import Testing

@testable import ChorusAgent

/// `ApplicationWatch.checkNow`, which a rollout turn asks before deciding whether its application
/// already runs the target: it returns once a check begun after the call has reported, never
/// with what was known before (an agent restarted mid-turn would upgrade its application again).
@Suite("Application watch", .serialized)
struct ApplicationWatchTests {
    actor Reports {
        private(set) var versions: [String?] = []
        private(set) var healths: [ApplicationHealth] = []
        func add(_ version: String?, _ health: ApplicationHealth) {
            versions.append(version)
            healths.append(health)
        }
    }

    @Test func checkNowReturnsWithAFreshResult() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-watch-\(UUID().uuidString)")
        try "1.0.0\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let source = FakeStatusSource(local: FakeStatusSource.member("app-1", seed: 1, isLocal: true), joined: false)
        try await withHTTPServer(source: source) { client in
            var configuration = AgentConfiguration.defaults
            configuration.appVersionFile = file.path
            configuration.appHealthURL = client.base + "/v1/health"
            // Only the first check and `checkNow` run one within the test.
            configuration.appCheckInterval = .seconds(3600)
            let reports = Reports()
            let watch = ApplicationWatch(checks: ApplicationChecks(configuration), logger: Logger(label: "test")) { version, health, _ in
                await reports.add(version, health)
            }
            let running = Task { await watch.run() }
            defer { running.cancel() }
            await watch.checkNow()
            #expect(await reports.healths.last == .healthy)
            #expect(await reports.versions.last == "1.0.0")

            try "1.1.0\n".write(to: file, atomically: true, encoding: .utf8)
            await watch.checkNow()
            #expect(await reports.versions.last == "1.1.0", "the check asked for ran before checkNow returned")
        }
    }

    @Test func checkNowReturnsAtOnceWhenNothingIsChecked() async {
        let watch = ApplicationWatch(checks: ApplicationChecks(AgentConfiguration.defaults), logger: Logger(label: "test")) { _, _, _ in }
        await watch.checkNow() // not running, nothing configured: would hang if it waited for a check
    }
}
