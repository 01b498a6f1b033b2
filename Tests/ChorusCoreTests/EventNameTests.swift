import ChorusCore
import ChorusWire
import Foundation
import Testing

/// SPEC §8's names are defined once (`EventName`); the chaos harness, written in Python, checks
/// transitions by name, so its spelling is held to that definition here.
@Suite struct EventNameTests {
    @Test func theChaosHarnessChecksOnlyNamesTheAgentEmits() throws {
        let checks = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tools/chaoslib/checks.py")
        let source = try String(contentsOf: checks, encoding: .utf8)
        let quoted = source.matches(of: /"((?:member|upgrade|maintenance|banner|certificate)-[a-z-]+)"/).map { String($0.1) }
        #expect(Set(quoted).count >= 9, "the harness's event names were not found in \(checks.path)")
        for name in Set(quoted) { #expect(EventName(rawValue: name) != nil, "tools/chaoslib/checks.py names '\(name)', which no agent emits") }
    }

    @Test func decisionsAndDerivedStatesNameTheirEvents() {
        #expect(EventName.applying(.startUpgrade) == .upgradeStarted)
        #expect(EventName.applying(.maintenanceOn(message: "backup")) == .maintenanceOn)
        #expect(EventName.applying(.setBanner(AnnouncementBanner(message: "m", level: .info, expiresAt: nil))) == nil,
                "the banner's event is seen where it is served: it also expires by each agent's clock")
        #expect(EventName.entering(.mixed) == .upgradeMixed)
        #expect(EventName.entering(.readyToRunUpgradeTasks) == .upgradeReady)
        #expect(EventName.entering(.stable) == nil)
        #expect(MembershipEvent.Kind.allCases.map(\.rawValue) == ["member-join", "member-suspect", "member-failed", "member-leave",
                                                                  "member-update", "member-revoked", "certificate-expiring"])
    }
}
