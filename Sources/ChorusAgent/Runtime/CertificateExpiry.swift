import ChorusCore
import Foundation

/// Certificates about to expire (SPEC §2, Certificate lifecycle): a member whose certificate
/// expired is refused by everyone, and a node whose own did is cut off while it still sees
/// itself alive, so each is announced from 14 days ahead in `/v1/health`, a metric, a warning
/// log and a `certificate-expiring` event.
enum CertificateExpiry {
    static let warningPeriod: UInt64 = 14 * 86_400

    /// The members (this node among them) whose certificate expires within the warning period
    /// or has expired, soonest first.
    static func expiring(_ members: [MemberSnapshot], unixSeconds: UInt64) -> [MemberSnapshot] {
        members.filter { $0.certificateExpiresAt <= unixSeconds.addingReportingOverflow(warningPeriod).partialValue }
            .sorted { ($0.certificateExpiresAt, $0.name) < ($1.certificateExpiresAt, $1.name) }
    }

    /// "node-2's certificate expires 2027-01-01T00:00:00Z (in 13 days)", or "... expired ...".
    static func describe(_ member: MemberSnapshot, unixSeconds: UInt64) -> String {
        let whose = member.isLocal ? "this node's (\(member.name))" : "\(member.name)'s"
        let when = iso8601(member.certificateExpiresAt)
        guard member.certificateExpiresAt > unixSeconds else { return "\(whose) certificate expired \(when)" }
        let days = (member.certificateExpiresAt - unixSeconds) / 86_400
        return "\(whose) certificate expires \(when) (in \(days) day\(days == 1 ? "" : "s")); renew it: docs/operations.md"
    }

    static func iso8601(_ unixSeconds: UInt64) -> String {
        Date(timeIntervalSince1970: TimeInterval(min(unixSeconds, 253_402_300_799))).formatted(.iso8601)
    }
}
