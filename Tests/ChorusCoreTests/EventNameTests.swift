import ChorusCore
import ChorusWire
import Foundation
import Testing

/// SPEC §8's names are defined once (`EventName`); the Python tools (the chaos harness checks
/// transitions by name) spell them once, in tools/chorustools/events.py, held to that definition here.
@Suite struct EventNameTests {
    @Test func thePythonToolsNameExactlyTheEventsTheAgentEmits() throws {
        let names = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tools/chorustools/events.py")
        let source = try String(contentsOf: names, encoding: .utf8)
        let quoted = source.matches(of: /"((?:member|upgrade|maintenance|banner|certificate|slot|rollout)-[a-z-]+)"/).map { String($0.1) }
        #expect(Set(quoted).subtracting(EventName.allCases.map(\.rawValue)).isEmpty, "names no agent emits")
        #expect(Set(EventName.allCases.map(\.rawValue)).subtracting(quoted).isEmpty,
                "events tools/chorustools/events.py lacks: the harness could not check them")
    }

    @Test func decisionsAndDerivedStatesNameTheirEvents() {
        let agreed = AgreedState()
        #expect(EventName.applying(.startUpgrade, agreed: agreed) == [.upgradeStarted])
        #expect(EventName.applying(.maintenanceOn(message: "backup"), agreed: agreed) == [.maintenanceOn])
        let holder = NodeID(bytes: [UInt8](repeating: 1, count: 32))!
        #expect(EventName.applying(.grantSlot(DisruptionSlot(holder: holder, term: 1, purpose: .rollout(attempt: 1))), agreed: agreed)
            == [.slotGranted, .rolloutNodeStarted])
        #expect(EventName.applying(.endRolloutTurn(holder: holder, term: 1, failure: "exit 1"), agreed: agreed)
            == [.slotReleased, .rolloutNodeFailed, .rolloutHalted])
        #expect(EventName.applying(.setBanner(AnnouncementBanner(message: "m", level: .info, expiresAt: nil)), agreed: agreed).isEmpty,
                "the banner's event is seen where it is served: it also expires by each agent's clock")
        #expect(EventName.entering(.mixed) == .upgradeMixed)
        #expect(EventName.entering(.readyToRunUpgradeTasks) == .upgradeReady)
        #expect(EventName.entering(.stable) == nil)
        #expect(MembershipEvent.Kind.allCases.map(\.rawValue) == ["member-join", "member-suspect", "member-failed", "member-leave",
                                                                  "member-update", "member-revoked", "certificate-expiring"])
    }
}
