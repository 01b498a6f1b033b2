import Foundation

/// Shared rendering for the `keys` subcommands.
enum KeysFormatting {
    /// Unix seconds as ISO-8601 UTC, e.g. "2026-05-01T12:00:00Z".
    static func iso8601(_ unixSeconds: UInt64) -> String {
        Date(timeIntervalSince1970: TimeInterval(unixSeconds)).formatted(.iso8601)
    }
}
