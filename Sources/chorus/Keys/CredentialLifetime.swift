import ArgumentParser
import Foundation

/// `--expires` of `chorus keys issue`, `keys renew` and `keys issue-operator`: a lifetime from
/// now (`90d`, `12h`, `30m`, `40s`, `2w`) or an instant (`2027-01-31T00:00:00Z`).
struct CredentialLifetime: ExpressibleByArgument, Sendable {
    private enum Form: Sendable {
        case seconds(UInt64)
        case instant(UInt64)
    }

    private let form: Form
    /// As given, for `--help`'s "(default: 90d)".
    let defaultValueDescription: String

    init?(argument: String) {
        defaultValueDescription = argument
        let units: [Character: UInt64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
        if let unit = argument.last.flatMap({ units[$0] }), let count = UInt64(argument.dropLast()), count > 0 {
            let (seconds, overflow) = count.multipliedReportingOverflow(by: unit)
            guard !overflow, seconds <= 100 * 366 * 86_400 else { return nil }
            form = .seconds(seconds)
        } else if let date = try? Date(argument, strategy: .iso8601), date.timeIntervalSince1970 > 0 {
            form = .instant(UInt64(date.timeIntervalSince1970))
        } else {
            return nil
        }
    }


    /// The expiry, Unix seconds, for a certificate issued at `now`.
    func expiresAt(issuedAt now: UInt64) -> UInt64 {
        switch form {
        case .seconds(let seconds): now + seconds
        case .instant(let instant): instant
        }
    }
}
