import ChorusCore
import Testing

@testable import ChorusAgent

@Suite("Event ids across agent restarts")
struct EventJournalTests {
    @Test func aClientResumingFromBeforeARestartMissesNothing() async {
        let before = EventJournal(node: "n", firstID: EventJournal.firstID(bootedAt: 1_800_000_000))
        for _ in 0..<5 { before.record(.memberJoin) }
        let lastSeen = before.recent.last!.id

        // The agent restarts two seconds later; the client reconnects with the old Last-Event-ID.
        let after = EventJournal(node: "n", firstID: EventJournal.firstID(bootedAt: 1_800_000_002))
        after.record(.memberJoin)
        after.record(.maintenanceOn)
        after.close()
        var resumed: [String] = []
        for await event in after.subscribe(after: lastSeen) { resumed.append(event.event) }
        #expect(resumed == ["member-join", "maintenance-on"])
        #expect(after.recent.first!.id > lastSeen)
        #expect(after.recent.last!.id < 1 << 53, "ids must stay exact as JSON numbers")
    }
}
