/// One value of the TOML subset Chorus reads.
public enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    /// Arrays hold strings only: every list Chorus reads is a list of addresses or names.
    case stringArray([String])
}

/// A parsed file: values keyed by dotted path (`upgrade.tasks_command`), and every table header seen,
/// so the caller can reject a misspelled empty table as it rejects a misspelled key.
public struct TOMLDocument: Sendable, Equatable {
    public var values: [String: TOMLValue]
    public var tables: [String]
}

/// A syntax error, or syntax outside the subset, with the 1-based line where it was found.
public struct TOMLError: Error, Equatable, CustomStringConvertible {
    public let line: Int
    public let message: String

    public var description: String { "line \(line): \(message)" }
}

/// The subset of TOML 1.0 the configuration file uses.
///
/// Supported: `#` comments, one-level `[table]` headers, `key = value` with bare keys, basic
/// "strings" (escapes `\" \\ \b \t \n \f \r \uXXXX \UXXXXXXXX`), 'literal strings', decimal
/// integers, booleans, and arrays of strings that may span lines with a trailing comma.
/// Everything else (floats, dates, inline tables, dotted or quoted keys, multi-line strings,
/// arrays of tables) is an error naming the construct, never silently skipped: a file the
/// operator believes configures something must not be half-read.
public enum TOMLSubset {
    public static func parse(_ text: String) throws(TOMLError) -> TOMLDocument {
        var parser = TOMLParser(text)
        return try parser.parseDocument()
    }
}
