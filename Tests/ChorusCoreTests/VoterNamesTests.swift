import ChorusWire
import Testing

@testable import ChorusCore

/// The names of entry-less voters and when the shell must write them again (`VoterNames`).
@Suite struct VoterNamesTests {
    static let ids = (1...3).map { NodeID(bytes: Array(repeating: UInt8($0), count: 32))! }

    @Test func theFileIsWrittenAgainOnlyWhenTheBookGainsOrLosesANameOrTheVotersChange() {
        var names = VoterNames([Self.ids[0]: "node-1"]) // as loaded from the file
        names.noteEntry(of: Self.ids[0])
        #expect(names.revision == 0, "a voter coming back whose name the file holds changes nothing to write")
        names.noteEntry(of: Self.ids[1])
        #expect(names.revision == 1, "a voter the file does not name must be written")
        names.remember("node-2", for: Self.ids[1])
        #expect(names.revision == 1, "an entry going only moves its name here")
        #expect(names[Self.ids[1]] == "node-2")
        names.keepOnly { $0 != Self.ids[1] }
        #expect(names.revision == 2 && names[Self.ids[1]] == nil, "a voter removed is forgotten and written out")
    }

    @Test func theFileRoundTripsAndRefusesTrailingBytes() throws {
        let names = VoterNames([Self.ids[0]: "node-1", Self.ids[2]: "app-3"])
        #expect(try VoterNames.decode(names.encoded).byID == names.byID)
        #expect(throws: WireError.self) { try VoterNames.decode(names.encoded + [0]) }
        #expect(throws: WireError.self) { try VoterNames.decode(Array(names.encoded.dropLast())) }
    }
}
