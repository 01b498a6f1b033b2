/// MAJOR.MINOR.PATCH, compared numerically; anything after a `-` or `+` is ignored for order.
public struct SemanticVersion: Sendable, Comparable, Hashable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init?(_ text: String) {
        let core = text.split(whereSeparator: { $0 == "-" || $0 == "+" }).first.map(String.init) ?? ""
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { return nil }
        var numbers: [Int] = []
        for part in parts {
            guard let number = Int(part), number >= 0 else { return nil }
            numbers.append(number)
        }
        while numbers.count < 3 { numbers.append(0) }
        (major, minor, patch) = (numbers[0], numbers[1], numbers[2])
    }

    public static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    public var description: String { "\(major).\(minor).\(patch)" }

    /// Orders version strings; one that does not parse sorts below every one that does.
    public static func isOrderedBefore(_ lhs: String, _ rhs: String) -> Bool {
        switch (SemanticVersion(lhs), SemanticVersion(rhs)) {
        case let (left?, right?): left < right
        case (nil, _?): true
        case (_?, nil): false
        case (nil, nil): lhs < rhs
        }
    }

    /// Why a member on `version` cannot vote in a cluster at `clusterVersion` (SPEC §4), or nil.
    public static func incompatibility(of version: String, clusterVersion: String) -> String? {
        guard let cluster = SemanticVersion(clusterVersion) else { return nil }
        guard let member = SemanticVersion(version) else { return "version \(version) is not MAJOR.MINOR.PATCH" }
        if member.major != cluster.major { return "major version \(member.major) differs from the cluster's \(cluster.major)" }
        if member < cluster { return "version \(version) is older than the cluster version \(clusterVersion)" }
        return nil
    }
}
