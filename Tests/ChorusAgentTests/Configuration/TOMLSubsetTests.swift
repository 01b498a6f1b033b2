import Testing

@testable import ChorusAgent

@Suite("TOML subset")
struct TOMLSubsetTests {
    @Test func parsesEverySupportedConstruct() throws {
        let text = """
            # Chorus agent configuration
            name = "node-1"   # trailing comment
            literal = 'C:\\no\\escapes'
            escaped = "a\\"b\\\\c\\n\\t\\u00e9\\U0001F600"
            count = -1_000
            zero = 0
            enabled = true
            disabled = false
            join = [
              "10.0.0.1:7720",  # first seed
              '[::1]:7720',

              "seed.lan:7720",
            ]
            empty = []

            [upgrade]
            tasks_command = "/usr/local/bin/migrate --all"
            """
        let document = try TOMLSubset.parse(text)
        #expect(document.values == [
            "name": .string("node-1"),
            "literal": .string("C:\\no\\escapes"),
            "escaped": .string("a\"b\\c\n\té😀"),
            "count": .integer(-1000),
            "zero": .integer(0),
            "enabled": .boolean(true),
            "disabled": .boolean(false),
            "join": .stringArray(["10.0.0.1:7720", "[::1]:7720", "seed.lan:7720"]),
            "empty": .stringArray([]),
            "upgrade.tasks_command": .string("/usr/local/bin/migrate --all"),
        ])
        #expect(document.tables == ["upgrade"])
    }

    @Test func acceptsCRLFAndEmptyInput() throws {
        #expect(try TOMLSubset.parse("").values.isEmpty)
        #expect(try TOMLSubset.parse("a = 1\r\nb = 'x'\r\n").values == ["a": .integer(1), "b": .string("x")])
    }

    @Test(arguments: [
        ("name = \"x\"\nname = \"y\"", 2, "duplicate key 'name'"),
        ("a = 1\nb = \"open", 2, "unterminated string"),
        ("a = 1\n\nb = 1.5", 3, "floats are not supported"),
        ("when = 1979-05-27", 1, "dates and times are not supported"),
        ("x = 0x1F", 1, "hexadecimal, octal and binary integers are not supported"),
        ("x = 012", 1, "leading zeros are not allowed in '012'"),
        ("x = hello", 1, "invalid value 'hello' (strings must be quoted)"),
        ("x = ", 1, "missing value for key 'x'"),
        ("x = { a = 1 }", 1, "inline tables are not supported"),
        ("a.b = 1", 1, "dotted keys are not supported; use a [table] header"),
        ("\"quoted\" = 1", 1, "quoted keys are not supported"),
        ("[a.b]", 1, "nested tables ([a.b]) are not supported"),
        ("[[servers]]", 1, "arrays of tables ([[...]]) are not supported"),
        ("[t]\n[t]", 2, "table [t] is defined twice"),
        ("t = 1\n[t]", 2, "table [t] conflicts with key 't'"),
        ("x = \"\"\"multi\"\"\"", 1, "multi-line strings are not supported"),
        ("x = \"bad \\q escape\"", 1, "invalid escape '\\q' in string"),
        ("x = \"\\uD800\"", 1, "invalid unicode escape 'D800'"),
        ("x = [1, 2]", 1, "expected a string or ']' in array, found '1' (arrays may only hold strings)"),
        ("x = [\"a\" \"b\"]", 1, "expected ',' or ']' in array, found '\"'"),
        ("x = [[\"a\"]]", 1, "nested arrays are not supported"),
        ("x = [\n\"a\",\n", 3, "unterminated array (opened on line 1)"),
        ("x = 1 y = 2", 1, "expected end of line, found 'y'"),
        ("= 1", 1, "expected a key, found '='"),
        ("x 1", 1, "expected '=' after key 'x', found '1'"),
        ("x = 99999999999999999999", 1, "integer '99999999999999999999' is out of range"),
        ("x = 1\ry = 2", 1, "carriage return without line feed"),
    ])
    func rejectsWithLineAndMessage(text: String, line: Int, message: String) {
        #expect(throws: TOMLError(line: line, message: message)) { try TOMLSubset.parse(text) }
    }

    @Test func errorDescriptionCarriesTheLine() {
        #expect(TOMLError(line: 7, message: "floats are not supported").description == "line 7: floats are not supported")
    }
}
