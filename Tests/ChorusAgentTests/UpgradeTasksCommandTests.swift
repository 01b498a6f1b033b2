import ChorusCore
import Foundation
import Logging
import Testing

@testable import ChorusAgent

@Suite("Upgrade tasks command", .serialized)
struct UpgradeTasksCommandTests {
    static let assignment = TaskAssignment(term: 7, fromVersion: "1.0.0", toVersion: "1.1.0", attempt: 2)
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    /// The built `chorus`, which runs the guard (tools/test builds it before the tests).
    static let chorus: URL = {
        if let path = ProcessInfo.processInfo.environment["CHORUS_BIN"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/chorus")
    }()

    static func command(_ command: String?, timeout: Duration = .seconds(10)) -> UpgradeTasksCommand {
        UpgradeTasksCommand(command: command, timeout: timeout, guardExecutable: chorus.path)
    }

    /// Runs `command` to its end: nil is success.
    func run(_ command: String?, timeout: Duration = .seconds(10)) async -> String? {
        await Self.command(command, timeout: timeout).run(Self.assignment, logger: Self.logger)
    }

    @Test func successGetsTheUpgradeEnvironment() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-tasks-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let outcome = await run("echo \"$CHORUS_UPGRADE_FROM $CHORUS_UPGRADE_TO $CHORUS_UPGRADE_ATTEMPT $CHORUS_UPGRADE_TERM\" > \(file.path)")
        #expect(outcome == nil)
        #expect(try String(contentsOf: file, encoding: .utf8) == "1.0.0 1.1.0 2 7\n")
    }

    @Test func failureReportsTheExitStatusAndTheLastLine() async {
        let outcome = await run("echo migrating; echo 'schema locked' >&2; exit 3")
        #expect(outcome == "exit 3: schema locked")
    }

    @Test func aCommandPastItsTimeoutIsKilledAndFails() async {
        let outcome = await run("echo started; sleep 30", timeout: .milliseconds(300))
        let failure = outcome ?? ""
        #expect(failure.hasPrefix("timed out after"), "\(String(describing: outcome))")
        #expect(failure.hasSuffix("started"))
    }

    /// The lease was lost: cancelling the run ends the command at once, not when it would have ended.
    @Test func aCancelledRunEndsAtOnce() async {
        let started = ContinuousClock.now
        let run = Task { await Self.command("sleep 30").run(Self.assignment, logger: Self.logger) }
        try? await Task.sleep(for: .milliseconds(200))
        run.cancel()
        _ = await run.value
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    /// The lease moved: the tasks must not go on beside the new holder's, children included.
    @Test func stoppingKillsTheCommandsChildrenToo() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-child-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let command = Self.command("sleep 30 & echo $! > \(file.path).tmp; mv \(file.path).tmp \(file.path); wait", timeout: .seconds(60))
        let run = Task { await command.run(Self.assignment, logger: Self.logger) }
        let child = try #require(await Self.poll { Int32((try? String(contentsOf: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") })
        #expect(Self.isRunning(child))
        run.cancel()
        let gone = await Self.poll { Self.isRunning(child) ? nil : true }
        #expect(gone == true, "the background child \(child) outlived its stopped command")
    }

    /// The first non-nil answer of `probe`, tried every 20 ms for up to 10 s.
    static func poll<T>(_ probe: () -> T?) async -> T? {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let answer = probe() { return answer }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Whether `pid` is a live process (a zombie waiting for its reaper is dead).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let afterName = stat.range(of: ") ") else { return false }
        return !stat[afterName.upperBound...].hasPrefix("Z")
    }

    /// What the agent's death does to the guard: the kernel closes the lifeline's write end, as
    /// closing it here does. The command and its background child must go with it (issue 16:
    /// after kill -9 of the runner's agent, attempt 1 ran on beside attempt 2).
    @Test func theCommandDiesWhenItsLifelineCloses() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-lifeline-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let guardProcess = Process()
        guardProcess.executableURL = Self.chorus
        guardProcess.arguments = ["command-guard", "sleep 30 & echo \"$$ $!\" > \(file.path).tmp; mv \(file.path).tmp \(file.path); wait"]
        let lifeline = Pipe()
        guardProcess.standardInput = lifeline
        try guardProcess.run()
        let pids = try #require(await Self.poll {
            (try? String(contentsOf: file, encoding: .utf8))?.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        })
        try #require(pids.count == 2)
        #expect(pids.allSatisfy(Self.isRunning), "the shell and its child should run until the lifeline closes")
        try lifeline.fileHandleForWriting.close()
        let gone = await Self.poll { pids.contains(where: Self.isRunning) ? nil : true }
        #expect(gone == true, "the shell \(pids[0]) or its child \(pids[1]) outlived the lifeline")
        guardProcess.waitUntilExit()
        #expect(guardProcess.terminationReason == .uncaughtSignal)
    }

    @Test func noCommandMeansEmptyTasksThatSucceed() async {
        #expect(await run(nil) == nil)
    }
}
