import Testing

@testable import ChorusAgent

@Suite struct ServerSentEventParserTests {
    private func events(_ pieces: String...) -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        return pieces.flatMap { parser.consume($0.utf8) }
    }

    @Test func dataLinesJoinWithNewlinesAndNameAndIDAreRead() {
        #expect(events("id: 7\nevent: member-join\ndata: {\"a\":\ndata: 1}\n\n") ==
                [ServerSentEvent(name: "member-join", data: "{\"a\":\n1}", lastEventID: "7")])
    }

    @Test func commentsAreSkippedAndAnEventWithoutDataIsDropped() {
        #expect(events(": chorus events\n\n", "event: ping\n\n", ":keepalive\ndata: x\n\n") ==
                [ServerSentEvent(data: "x")])
    }

    @Test func crlfAndLoneCRBothEndLines() {
        #expect(events("data: a\r\n\r\ndata: b\r\rdata: c\n\n") ==
                [ServerSentEvent(data: "a"), ServerSentEvent(data: "b"), ServerSentEvent(data: "c")])
    }

    @Test func anEventSplitAnywhereAcrossChunksIsTheSame() {
        let stream = "id: 2\r\nevent: upgrade-started\r\ndata: {\"state\":\"mixed\",\"é\":1}\r\n\r\n"
        let whole = events(stream)
        #expect(whole.count == 1)
        let bytes = Array(stream.utf8)
        for cut in 1..<bytes.count {
            var parser = ServerSentEventParser()
            let split = parser.consume(bytes[..<cut]) + parser.consume(bytes[cut...])
            #expect(split == whole, "cut at byte \(cut)")
        }
    }

    @Test func theLastIDCarriesOverAndTheDefaultNameIsMessage() {
        #expect(events("id: 5\ndata: a\n\ndata: b\n\nid\ndata: c\n\n") == [
            ServerSentEvent(data: "a", lastEventID: "5"), ServerSentEvent(data: "b", lastEventID: "5"),
            ServerSentEvent(data: "c", lastEventID: ""),
        ])
    }

    @Test func fieldsFollowTheSpecsEdgeRules() {
        // Only one space after the colon is dropped; a line without a colon is a field with an
        // empty value; unknown fields and retry are ignored; an id holding NUL is ignored.
        #expect(events("data:  two\ndata\nretry: 10\nfoo: bar\nid: a\0b\n\n") ==
                [ServerSentEvent(data: " two\n", lastEventID: nil)])
    }

    @Test func anEventCutOffByTheEndOfTheStreamIsNotDelivered() {
        #expect(events("data: complete\n\ndata: cut off\n").map(\.data) == ["complete"])
    }

    @Test func aByteOrderMarkAtTheStartIsIgnored() {
        #expect(events("\u{FEFF}data: x\n\n") == [ServerSentEvent(data: "x")])
    }
}
