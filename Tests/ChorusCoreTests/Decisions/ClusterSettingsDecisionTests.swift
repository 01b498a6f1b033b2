import ChorusCore
import ChorusWire
import Testing

/// Maintenance mode and the banner are quorum decisions like the upgrade commands (SPEC §5, §6).
@Suite("Maintenance and banner decisions")
struct ClusterSettingsDecisionTests {
    private func committed(_ command: OperatorCommand, at node: Int, id requestID: UInt64, in harness: inout DecisionHarness) -> Bool {
        harness.submit(command, at: node, requestID: requestID)
        harness.run(for: .seconds(1))
        if case .committed = harness.outcomes[requestID] { return true }
        return false
    }

    @Test("maintenance on at one node is agreed at every node; off ends it; off again is refused")
    func maintenanceOnAndOff() {
        var harness = QuorumDecisionTests.formedCluster()
        #expect(committed(.startMaintenance(message: "backup until 02:00"), at: 2, id: 1, in: &harness))
        for engine in harness.engines { #expect(engine!.agreed.maintenanceMessage == "backup until 02:00") }
        // On again: a new message, not a refusal.
        #expect(committed(.startMaintenance(message: "backup until 03:00"), at: 4, id: 2, in: &harness))
        #expect(committed(.endMaintenance, at: 0, id: 3, in: &harness))
        for engine in harness.engines { #expect(engine!.agreed.maintenanceMessage == nil) }
        harness.submit(.endMaintenance, at: 1, requestID: 4)
        #expect(harness.outcomes[4] == .rejected(reason: "maintenance mode is already off"))
        #expect(harness.logsAgree)
    }

    @Test("a minority partition cannot turn maintenance on")
    func minorityCannotStartMaintenance() {
        var harness = QuorumDecisionTests.formedCluster()
        harness.partition([0, 1])
        harness.submit(.startMaintenance(message: "minority"), at: 0, requestID: 1)
        harness.run(for: .seconds(6))
        #expect(harness.outcomes[1] == .noQuorum)
        for engine in harness.engines { #expect(engine!.agreed.maintenanceMessage == nil) }
    }

    @Test("a banner set anywhere is the same everywhere; clear removes it; clear again is refused")
    func bannerSetAndClear() {
        var harness = QuorumDecisionTests.formedCluster()
        let banner = AnnouncementBanner(message: "Upgrade tonight 22:00 UTC", level: .warning, expiresAt: 1_900_000_000)
        #expect(committed(.setBanner(banner), at: 3, id: 1, in: &harness))
        for engine in harness.engines { #expect(engine!.agreed.banner == banner) }
        #expect(committed(.clearBanner, at: 1, id: 2, in: &harness))
        for engine in harness.engines { #expect(engine!.agreed.banner == nil) }
        harness.submit(.clearBanner, at: 2, requestID: 3)
        #expect(harness.outcomes[3] == .rejected(reason: "no banner is set"))
    }

    @Test("maintenance and banner leave the upgrade state alone, and survive the wire")
    func independentOfTheUpgrade() throws {
        var harness = QuorumDecisionTests.formedCluster()
        #expect(committed(.startUpgrade, at: 0, id: 1, in: &harness))
        #expect(committed(.startMaintenance(message: ""), at: 1, id: 2, in: &harness))
        for index in 0..<5 { #expect(harness.state(at: index) == .readyToUpgrade) }
        for value: DecisionValue in [
            .maintenanceOn(message: "Sauvegarde — retour à 02:00"), .maintenanceOff, .clearBanner,
            .setBanner(AnnouncementBanner(message: "hi", level: .info, expiresAt: nil)),
        ] {
            var reader = ByteReader(value.encoded)
            #expect(try DecisionValue.decode(from: &reader) == value)
        }
    }

    @Test("a banner expires by each agent's own wall clock")
    func bannerExpiry() {
        let banner = AnnouncementBanner(message: "m", level: .info, expiresAt: 1_000)
        #expect(banner.isActive(atUnixSeconds: 999))
        #expect(!banner.isActive(atUnixSeconds: 1_000))
        #expect(AnnouncementBanner(message: "m", level: .info, expiresAt: nil).isActive(atUnixSeconds: .max))
    }

    @Test("text is cut at a character boundary, never inside one")
    func truncation() {
        let text = String(repeating: "é", count: 150) // 300 bytes
        let cut = text.truncatedUTF8(maxBytes: DecisionValue.maxTextLength)
        #expect(cut.utf8.count == 200)
        #expect(cut.allSatisfy { $0 == "é" })
        var reader = ByteReader(DecisionValue.maintenanceOn(message: text).encoded)
        #expect((try? DecisionValue.decode(from: &reader)) == .maintenanceOn(message: cut))
    }
}
