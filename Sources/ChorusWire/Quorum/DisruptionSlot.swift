/// One slot of the cluster's disruption budget (SPEC §13): while it is held, its holder may be
/// out of service. Granted and released by quorum decisions; `term` grows with every grant, so
/// no two grants are alike and a release names the one it ends.
public struct DisruptionSlot: Sendable, Hashable, CustomStringConvertible {
    /// Why the holder is out of service.
    public enum Purpose: Sendable, Hashable {
        /// A FleetLock client on the holder's host (an OS update agent such as Zincati) reboots
        /// it; only the same client id releases it (FleetLock's owned locks).
        case reboot(clientID: String, group: String)
        /// The holder's turn in the rollout (SPEC §13): it drains, upgrades and returns;
        /// `attempt` counts its grants in this rollout.
        case rollout(attempt: UInt32)
    }

    /// FleetLock ids are machine ids (32 hex digits) or names: at most 63 characters, which in
    /// UTF-8 fit a short string's 255 bytes; groups match `^[a-zA-Z0-9.-]+$`.
    public static let maxClientIDCharacters = 63
    public static let maxClientIDLength = 255
    public static let maxGroupLength = 64

    public var holder: NodeID
    public var term: UInt32
    public var purpose: Purpose

    public init(holder: NodeID, term: UInt32, purpose: Purpose) {
        self.holder = holder
        self.term = term
        self.purpose = purpose
    }

    /// "term 3 to 75b8a5a9f96285b7: reboot by os-2 in default", for logs and traces.
    public var description: String {
        switch purpose {
        case .reboot(let clientID, let group): "term \(term) to \(holder): reboot by \(clientID) in \(group)"
        case .rollout(let attempt): "term \(term) to \(holder): rollout attempt \(attempt)"
        }
    }

    private enum PurposeTag: UInt8 {
        case reboot = 1, rollout
    }

    func encode(into writer: inout ByteWriter) {
        writer.write(holder)
        writer.write(uint32: term)
        switch purpose {
        case .reboot(let clientID, let group):
            writer.write(uint8: PurposeTag.reboot.rawValue)
            writer.write(shortString: clientID.truncatedUTF8(maxBytes: Self.maxClientIDLength))
            writer.write(shortString: group.truncatedUTF8(maxBytes: Self.maxGroupLength))
        case .rollout(let attempt):
            writer.write(uint8: PurposeTag.rollout.rawValue)
            writer.write(uint32: attempt)
        }
    }

    static func decode(from reader: inout ByteReader) throws(WireError) -> DisruptionSlot {
        let holder = try reader.readNodeID()
        let term = try reader.readUInt32()
        let raw = try reader.readUInt8()
        guard let tag = PurposeTag(rawValue: raw) else { throw .invalidField("disruption slot purpose \(raw)") }
        switch tag {
        case .reboot:
            let clientID = try reader.readShortString(maxLength: maxClientIDLength)
            let group = try reader.readShortString(maxLength: maxGroupLength)
            return DisruptionSlot(holder: holder, term: term, purpose: .reboot(clientID: clientID, group: group))
        case .rollout:
            return DisruptionSlot(holder: holder, term: term, purpose: .rollout(attempt: try reader.readUInt32()))
        }
    }
}
