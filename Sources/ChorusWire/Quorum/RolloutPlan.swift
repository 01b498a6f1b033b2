/// What `chorus rollout start` asks for (SPEC §13), as the decision that starts a rollout carries
/// it: the version every voting member's application moves to, how many members may be out of
/// service at once, who goes first, and whether the upgrade tasks run when the last one is done.
public struct RolloutPlan: Sendable, Hashable, CustomStringConvertible {
    /// The members named by `--order`, first to last; every other voter follows in id order.
    /// Bounded so that a vote for the plan fits one datagram beside its proof.
    public static let maxOrderedMembers = 12
    /// The most members a budget may take out at once.
    public static let maxUnavailableLimit: UInt8 = 16

    public var targetVersion: String
    public var maxUnavailable: UInt8
    public var approve: Bool
    public var order: [NodeID]

    public init(targetVersion: String, maxUnavailable: UInt8, approve: Bool, order: [NodeID]) {
        self.targetVersion = targetVersion
        self.maxUnavailable = maxUnavailable
        self.approve = approve
        self.order = order
    }

    /// "to 1.1.0, 1 at a time, approved, first ce4431c84f4b9077", for logs and traces.
    public var description: String {
        "to \(targetVersion), \(maxUnavailable) at a time" + (approve ? ", approved" : "")
            + (order.isEmpty ? "" : ", first " + order.map(\.description).joined(separator: ","))
    }

    func encode(into writer: inout ByteWriter) {
        writer.write(shortString: targetVersion)
        writer.write(uint8: maxUnavailable)
        writer.write(uint8: approve ? 1 : 0)
        writer.write(uint8: UInt8(order.count))
        for member in order { writer.write(member) }
    }

    static func decode(from reader: inout ByteReader) throws(WireError) -> RolloutPlan {
        let target = try reader.readShortString(maxLength: Heartbeat.maxVersionLength)
        let maxUnavailable = try reader.readUInt8()
        guard (1...maxUnavailableLimit).contains(maxUnavailable) else { throw .invalidField("max unavailable \(maxUnavailable)") }
        let approve = try reader.readUInt8()
        guard approve <= 1 else { throw .invalidField("approve flag \(approve)") }
        let count = Int(try reader.readUInt8())
        guard count <= maxOrderedMembers else { throw .invalidField("rollout order of \(count) members") }
        var order: [NodeID] = []
        for _ in 0..<count {
            let member = try reader.readNodeID()
            guard !order.contains(member) else { throw .invalidField("a member twice in a rollout order") }
            order.append(member)
        }
        return RolloutPlan(targetVersion: target, maxUnavailable: maxUnavailable, approve: approve == 1, order: order)
    }
}
