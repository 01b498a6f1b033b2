/// The scanner behind `TOMLSubset.parse`: one pass over UTF-8 bytes, tracking the line for errors.
///
/// All syntax is ASCII, so working on bytes is exact; string contents are collected as bytes and
/// decoded once, which keeps multi-byte characters intact.
struct TOMLParser {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var currentTable: String?
    private var values: [String: TOMLValue] = [:]
    private var tables: [String] = []

    init(_ text: String) {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        self.bytes = bytes
    }

    mutating func parseDocument() throws(TOMLError) -> TOMLDocument {
        while true {
            skipBlanks()
            guard let byte = peek() else { return TOMLDocument(values: values, tables: tables) }
            switch byte {
            case .lineFeed, .carriageReturn:
                try consumeNewline()
            case .hash:
                skipComment()
            case .openBracket:
                try parseTableHeader()
                try expectEndOfLine()
            default:
                try parseKeyValue()
                try expectEndOfLine()
            }
        }
    }

    // MARK: Lines

    private mutating func parseTableHeader() throws(TOMLError) {
        index += 1
        if peek() == .openBracket { throw error("arrays of tables ([[...]]) are not supported") }
        skipBlanks()
        let name = try parseBareKey()
        skipBlanks()
        if peek() == .dot { throw error("nested tables ([a.b]) are not supported") }
        guard peek() == .closeBracket else { throw error("expected ']' after table name, found \(describe(peek()))") }
        index += 1
        if tables.contains(name) { throw error("table [\(name)] is defined twice") }
        if values[name] != nil { throw error("table [\(name)] conflicts with key '\(name)'") }
        tables.append(name)
        currentTable = name
    }

    private mutating func parseKeyValue() throws(TOMLError) {
        let key = try parseBareKey()
        skipBlanks()
        if peek() == .dot { throw error("dotted keys are not supported; use a [table] header") }
        guard peek() == .equals else { throw error("expected '=' after key '\(key)', found \(describe(peek()))") }
        index += 1
        skipBlanks()
        let value = try parseValue(forKey: key)
        let path = currentTable.map { "\($0).\(key)" } ?? key
        if values[path] != nil { throw error("duplicate key '\(path)'") }
        values[path] = value
    }

    private mutating func parseBareKey() throws(TOMLError) -> String {
        if peek() == .quote || peek() == .apostrophe { throw error("quoted keys are not supported") }
        let start = index
        while let byte = peek(), byte.isBareKeyByte { index += 1 }
        guard index > start else { throw error("expected a key, found \(describe(peek()))") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func expectEndOfLine() throws(TOMLError) {
        skipBlanks()
        if peek() == .hash { skipComment() }
        guard let byte = peek() else { return }
        guard byte == .lineFeed || byte == .carriageReturn else {
            throw error("expected end of line, found \(describe(byte))")
        }
        try consumeNewline()
    }

    // MARK: Values

    private mutating func parseValue(forKey key: String) throws(TOMLError) -> TOMLValue {
        switch peek() {
        case .quote: .string(try parseBasicString())
        case .apostrophe: .string(try parseLiteralString())
        case .openBracket: .stringArray(try parseStringArray())
        case .openBrace: throw error("inline tables are not supported")
        case nil, .lineFeed, .carriageReturn, .hash: throw error("missing value for key '\(key)'")
        default: try parseBareValue()
        }
    }

    /// Booleans and integers; names the unsupported scalar kinds (floats, dates, radix integers).
    private mutating func parseBareValue() throws(TOMLError) -> TOMLValue {
        let start = index
        while let byte = peek(), byte.isBareValueByte { index += 1 }
        let word = String(decoding: bytes[start..<index], as: UTF8.self)
        switch word {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "": throw error("expected a value, found \(describe(peek()))")
        default: break
        }
        let unsigned = word.first == "+" || word.first == "-" ? word.dropFirst() : Substring(word)
        if unsigned == "inf" || unsigned == "nan" { throw error("floats are not supported") }
        guard let first = unsigned.first, first.isASCII, first.isNumber else {
            throw error("invalid value '\(word)' (strings must be quoted)")
        }
        if unsigned.hasPrefix("0x") || unsigned.hasPrefix("0o") || unsigned.hasPrefix("0b") {
            throw error("hexadecimal, octal and binary integers are not supported")
        }
        if unsigned.contains(":") || unsigned.contains("-") { throw error("dates and times are not supported") }
        if unsigned.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            throw error("floats are not supported")
        }
        return .integer(try integer(from: word))
    }

    private func integer(from word: String) throws(TOMLError) -> Int {
        var body = Substring(word)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        let isWellFormed = !body.isEmpty && body.first != "_" && body.last != "_" && !body.contains("__")
            && body.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "_") }
        guard isWellFormed else { throw error("invalid value '\(word)' (strings must be quoted)") }
        if body.count > 1 && body.first == "0" { throw error("leading zeros are not allowed in '\(word)'") }
        guard let value = Int(word.filter { $0 != "_" }) else { throw error("integer '\(word)' is out of range") }
        return value
    }

    private mutating func parseBasicString() throws(TOMLError) -> String {
        if hasPrefix([.quote, .quote, .quote]) { throw error("multi-line strings are not supported") }
        index += 1
        var content: [UInt8] = []
        while true {
            guard let byte = peek(), byte != .lineFeed, byte != .carriageReturn else {
                throw error("unterminated string")
            }
            index += 1
            switch byte {
            case .quote:
                return String(decoding: content, as: UTF8.self)
            case .backslash:
                content.append(contentsOf: try parseEscape())
            default:
                guard !byte.isControl else { throw error("control character in string; use an escape") }
                content.append(byte)
            }
        }
    }

    private mutating func parseEscape() throws(TOMLError) -> [UInt8] {
        guard let byte = peek() else { throw error("unterminated string") }
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return [.quote]
        case .backslash: return [.backslash]
        case UInt8(ascii: "b"): return [0x08]
        case UInt8(ascii: "t"): return [0x09]
        case UInt8(ascii: "n"): return [.lineFeed]
        case UInt8(ascii: "f"): return [0x0C]
        case UInt8(ascii: "r"): return [.carriageReturn]
        case UInt8(ascii: "u"): return try parseUnicodeEscape(digits: 4)
        case UInt8(ascii: "U"): return try parseUnicodeEscape(digits: 8)
        default: throw error("invalid escape '\\\(describeRaw(byte))' in string")
        }
    }

    private mutating func parseUnicodeEscape(digits: Int) throws(TOMLError) -> [UInt8] {
        guard index + digits <= bytes.count else { throw error("incomplete unicode escape") }
        let hex = String(decoding: bytes[index..<index + digits], as: UTF8.self)
        guard hex.allSatisfy(\.isHexDigit), let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
            throw error("invalid unicode escape '\(hex)'")
        }
        index += digits
        return Array(String(Character(scalar)).utf8)
    }

    private mutating func parseLiteralString() throws(TOMLError) -> String {
        if hasPrefix([.apostrophe, .apostrophe, .apostrophe]) { throw error("multi-line strings are not supported") }
        index += 1
        let start = index
        while true {
            guard let byte = peek(), byte != .lineFeed, byte != .carriageReturn else {
                throw error("unterminated string")
            }
            if byte == .apostrophe { break }
            guard !byte.isControl else { throw error("control character in literal string") }
            index += 1
        }
        let content = String(decoding: bytes[start..<index], as: UTF8.self)
        index += 1
        return content
    }

    private mutating func parseStringArray() throws(TOMLError) -> [String] {
        let openedOn = line
        index += 1
        var elements: [String] = []
        while true {
            try skipArrayFiller(openedOn: openedOn)
            switch peek() {
            case .closeBracket:
                index += 1
                return elements
            case .quote:
                elements.append(try parseBasicString())
            case .apostrophe:
                elements.append(try parseLiteralString())
            case .openBracket:
                throw error("nested arrays are not supported")
            default:
                throw error("expected a string or ']' in array, found \(describe(peek())) (arrays may only hold strings)")
            }
            try skipArrayFiller(openedOn: openedOn)
            switch peek() {
            case .comma: index += 1
            case .closeBracket: break
            default: throw error("expected ',' or ']' in array, found \(describe(peek()))")
            }
        }
    }

    /// Blanks, newlines and comments, all allowed between array elements.
    private mutating func skipArrayFiller(openedOn: Int) throws(TOMLError) {
        while true {
            skipBlanks()
            switch peek() {
            case nil: throw error("unterminated array (opened on line \(openedOn))")
            case .lineFeed, .carriageReturn: try consumeNewline()
            case .hash: skipComment()
            default: return
            }
        }
    }

    // MARK: Bytes

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private func hasPrefix(_ prefix: [UInt8]) -> Bool { bytes[index...].starts(with: prefix) }

    private mutating func skipBlanks() {
        while let byte = peek(), byte == .space || byte == .tab { index += 1 }
    }

    private mutating func skipComment() {
        while let byte = peek(), byte != .lineFeed, byte != .carriageReturn { index += 1 }
    }

    private mutating func consumeNewline() throws(TOMLError) {
        if peek() == .carriageReturn {
            index += 1
            guard peek() == .lineFeed else { throw error("carriage return without line feed") }
        }
        index += 1
        line += 1
    }

    private func error(_ message: String) -> TOMLError { TOMLError(line: line, message: message) }

    private func describe(_ byte: UInt8?) -> String {
        switch byte {
        case nil: "end of file"
        case .lineFeed?, .carriageReturn?: "end of line"
        case let byte?: "'\(describeRaw(byte))'"
        }
    }

    private func describeRaw(_ byte: UInt8) -> String {
        (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }
}

private extension UInt8 {
    static let tab = UInt8(ascii: "\t")
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let quote = UInt8(ascii: "\"")
    static let hash = UInt8(ascii: "#")
    static let apostrophe = UInt8(ascii: "'")
    static let comma = UInt8(ascii: ",")
    static let dot = UInt8(ascii: ".")
    static let equals = UInt8(ascii: "=")
    static let openBracket = UInt8(ascii: "[")
    static let backslash = UInt8(ascii: "\\")
    static let closeBracket = UInt8(ascii: "]")
    static let openBrace = UInt8(ascii: "{")

    var isBareKeyByte: Bool {
        switch self {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    /// Bytes that can belong to an unquoted scalar, so a float or date is read whole and named.
    var isBareValueByte: Bool {
        isBareKeyByte || self == UInt8(ascii: "+") || self == .dot || self == UInt8(ascii: ":")
    }

    /// TOML forbids raw control characters other than tab inside strings.
    var isControl: Bool { (self < 0x20 && self != .tab) || self == 0x7F }
}
