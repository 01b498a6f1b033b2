import ChorusWire

/// Names for voters that have no member entry. The decision log names voters by key only, and a
/// member entry is forgotten when its tombstone is reaped or the agent restarts: without these,
/// a voter that left or died for good could be neither named nor removed by name (issue 16).
/// Only entry-less voters are held, so a node of a large cluster does not keep every name twice;
/// the shell's file holds every voter's name (`MembershipNode.voterNameBook`).
public struct VoterNames: Sendable, Equatable {
    public private(set) var byID: [NodeID: String] = [:]
    /// Bumped whenever the name book may have changed (a voter's member entry brought a name not
    /// held here, or the voters changed), so the shell writes its file only then: not when every
    /// voter comes back after a restart, nor when an entry goes (its name only moves here).
    public private(set) var revision: UInt64 = 0

    public init(_ byID: [NodeID: String] = [:]) {
        self.byID = byID
    }

    public subscript(id: NodeID) -> String? { byID[id] }

    /// The voter's member entry is going: its name stays here.
    mutating func remember(_ name: String, for id: NodeID) {
        byID[id] = name
    }

    /// The voter's member entry arrived and names it from now on.
    mutating func noteEntry(of id: NodeID) {
        if byID.removeValue(forKey: id) == nil { revision += 1 }
    }

    /// The voters changed: whoever stopped being one is forgotten.
    mutating func keepOnly(where isVoter: (NodeID) -> Bool) {
        byID = byID.filter { isVoter($0.key) }
        revision += 1
    }

    /// count u16 | (id | short string name) × count, in id order so equal sets give equal bytes.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 2 + byID.count * 48)
        writer.write(uint16: UInt16(min(byID.count, Int(UInt16.max))))
        for (id, name) in byID.sorted(by: { $0.key < $1.key }).prefix(Int(UInt16.max)) {
            writer.write(id)
            writer.write(shortString: name)
        }
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> VoterNames {
        var reader = ByteReader(bytes)
        let count = Int(try reader.readUInt16())
        var names: [NodeID: String] = [:]
        for _ in 0..<count {
            let id = try reader.readNodeID()
            names[id] = try reader.readShortString(maxLength: Certificate.maxNameLength)
        }
        guard reader.isAtEnd else { throw .invalidField("bytes after the last voter name") }
        return VoterNames(names)
    }
}

extension DecisionValue {
    /// Founding, admission, removal and revocation change who votes.
    var changesVoters: Bool {
        switch self {
        case .found, .admit, .remove, .revoke: true
        default: false
        }
    }
}
