/// Certificates about to expire (SPEC §2, Certificate lifecycle): a member whose certificate
/// expired is refused by everyone, and a node whose own did is cut off while it still sees
/// itself alive, so each is announced from 14 days ahead.
public enum CertificateExpiry {
    public static let warningPeriod: UInt64 = 14 * 86_400

    /// The members (this node among them) whose certificate expires within the warning period
    /// or has expired, soonest first.
    public static func expiring(_ members: [MemberSnapshot], unixSeconds: UInt64) -> [MemberSnapshot] {
        members.filter { $0.certificateExpiresAt <= unixSeconds.addingReportingOverflow(warningPeriod).partialValue }
            .sorted { ($0.certificateExpiresAt, $0.name) < ($1.certificateExpiresAt, $1.name) }
    }
}
