import ChorusCore
import ChorusWire
import HTTPTypes

/// How an operator's name for a member becomes one member: commands carry ids, operators type
/// names. One reading for every command that names a member (remove, revoke, rollout order and
/// release), so a name means the same member everywhere.
enum MemberReference {
    /// The members `name` names: those so called, else those whose id in hex starts with it (8 or
    /// more hex digits), so two namesakes (a host back with a new key) can be told apart.
    static func matches(_ name: String, among members: [MemberSnapshot]) -> [MemberSnapshot] {
        let named = members.filter { $0.name == name }
        guard named.isEmpty, name.count >= 8, name.allSatisfy(\.isHexDigit) else { return named }
        return members.filter { $0.id.hex.hasPrefix(name.lowercased()) }
    }

    /// The one member of `candidates`: 404 unknown-member when there is none, 409 ambiguous-member
    /// with their ids and `byID` (how to name one by id) when there are several.
    static func one(of candidates: [MemberSnapshot], named name: String, byID: String) throws -> MemberSnapshot {
        guard let chosen = candidates.first else {
            throw APIError(.notFound, error: "unknown-member", reason: "no member is named '\(name)'")
        }
        guard candidates.count == 1 else {
            throw APIError(.conflict, error: "ambiguous-member", reason: "\(candidates.count) members are named '\(name)' ("
                + candidates.map { "\($0.id.short), \($0.status.rawValue)" }.joined(separator: "; ") + "): \(byID)")
        }
        return chosen
    }
}
