import Foundation
import Logging
import Testing

@testable import ChorusAgent

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    @Test func writesOneObjectPerLineWithFixedFieldsFirst() throws {
        let line = JSONLogHandler.line(
            timestamp: Date(timeIntervalSince1970: 1_700_000_000.125), level: .warning, label: "chorus.agent",
            message: "probe \"failed\"\n", metadata: ["peer": "node-2", "attempt": .stringConvertible(3), "level": "shadowed"])
        #expect(line.hasSuffix("}\n"))
        #expect(line.filter { $0 == "\n" }.count == 1, "escaped newlines keep one record per line")
        #expect(line.hasPrefix(#"{"ts":"2023-11-14T22:13:20.125Z","level":"warning","label":"chorus.agent","message":"probe \"failed\"\n""#))
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["peer"] == "node-2")
        #expect(object["attempt"] == "3")
        #expect(object["metadata.level"] == "shadowed")
        #expect(object["level"] == "warning")
    }

    @Test func encodesNestedMetadataAndControlCharacters() {
        #expect(JSONText.value(.array(["a", .dictionary(["k": "v"])])) == #"["a",{"k":"v"}]"#)
        #expect(JSONText.string("tab\there\u{01}") == #""tab\there\u0001""#)
    }
}
