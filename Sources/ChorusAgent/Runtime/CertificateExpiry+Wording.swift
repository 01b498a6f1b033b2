import ChorusCore
import Foundation

/// How the shell words an expiry (`/v1/health`, the warning log, `/v1/self`).
extension CertificateExpiry {
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
