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
        func names(_ value: DecisionValue) -> [EventName] { ClusterEvent.applying(value, agreed: agreed).map(\.name) }
        #expect(names(.startUpgrade) == [.upgradeStarted])
        #expect(names(.maintenanceOn(message: "backup")) == [.maintenanceOn])
        let holder = NodeID(bytes: [UInt8](repeating: 1, count: 32))!
        #expect(names(.grantSlot(DisruptionSlot(holder: holder, term: 1, purpose: .rollout(attempt: 1)))) == [.slotGranted, .rolloutNodeStarted])
        #expect(names(.endRolloutTurn(holder: holder, term: 1, failure: "exit 1")) == [.slotReleased, .rolloutNodeFailed, .rolloutHalted])
        #expect(names(.setBanner(AnnouncementBanner(message: "m", level: .info, expiresAt: nil))).isEmpty,
                "the banner's event is seen where it is served: it also expires by each agent's clock")
        #expect(EventName.entering(.mixed) == .upgradeMixed)
        #expect(EventName.entering(.readyToRunUpgradeTasks) == .upgradeReady)
        #expect(EventName.entering(.stable) == nil)
        #expect(MembershipEvent.Kind.allCases.map(\.rawValue) == ["member-join", "member-suspect", "member-failed", "member-leave",
                                                                  "member-update", "member-revoked", "certificate-expiring"])
    }

    /// Slot and turn events say whose slot or turn, its term and what for; a failed turn why.
    @Test func slotAndTurnEventsNameTheirHolder() {
        let holder = NodeID(bytes: [UInt8](repeating: 1, count: 32))!
        let reboot = DisruptionSlot(holder: holder, term: 4, purpose: .reboot(clientID: "zincati", group: "default"))
        #expect(ClusterEvent.applying(.grantSlot(reboot), agreed: AgreedState())
            == [ClusterEvent(.slotGranted, about: .init(holder: holder, term: 4, purpose: reboot.purpose))])
        #expect(ClusterEvent.applying(.releaseSlot(holder: holder, term: 4), agreed: AgreedState())
            == [ClusterEvent(.slotReleased, about: .init(holder: holder, term: 4))])
        let failed = ClusterEvent.applying(.endRolloutTurn(holder: holder, term: 5, failure: "exit 1"), agreed: AgreedState())
        #expect(failed.map(\.subject?.holder) == [holder, holder, holder])
        #expect(failed.map(\.subject?.term) == [5, 5, 5])
        #expect(failed.map(\.subject?.reason) == [nil, "exit 1", "exit 1"])
    }
}
