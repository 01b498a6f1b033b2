/// What a quorum decision says (SPEC §5). One value fills one slot of the cluster's decision
/// log; every agent applies the log in slot order, so all derive the same agreed state.
public enum DecisionValue: Sendable, Hashable {
    /// Slot 0: the first agent founds the cluster as its only voter, at its own version.
    case found(founder: NodeID, clusterVersion: String)
    /// Compatible members become voters: 1 to `maxAdmissionBatch` ids, ascending. Admitting
    /// the members alive at the time together makes forming an N-node cluster a handful of
    /// decisions instead of N − 1, each proven by votes that every member keeps.
    case admit([NodeID])
    /// An operator removes a (dead) member; it stops counting as a voter.
    case remove(NodeID)
    case startUpgrade
    case cancelUpgrade
    case approveUpgrade(targetVersion: String)
    case retryUpgrade
    /// `runner` holds the upgrade-tasks lease with fencing term `term` (a takeover bumps it), for
    /// `durationMilliseconds` from each grant or renewal. The duration travels in the decision so
    /// that the runner and every acceptor time the same lease whatever their own settings.
    case grantLease(runner: NodeID, term: UInt32, durationMilliseconds: UInt32)
    case renewLease(term: UInt32)
    case finishTasks(term: UInt32)
    case failTasks(term: UInt32, reason: String)
    /// Maintenance mode on (or its message changed): every load-balancer check answers 503.
    case maintenanceOn(message: String)
    case maintenanceOff
    case setBanner(AnnouncementBanner)
    case clearBanner
    /// Gossip keyring (SPEC §2): a key every agent accepts, the one every agent seals with, a
    /// key no agent accepts any more. The install carries the secret: it is only ever proposed
    /// on a cluster that already seals its gossip.
    case installKey(GossipKey)
    case useKey(KeyID)
    case removeKey(KeyID)
    /// The member leaves the voters and its key is refused by every agent from then on, with a
    /// valid certificate or not, across restarts (SPEC §2: revocation).
    case revoke(NodeID)
    /// Operator credentials of `name` issued at or before `issuedBefore` (Unix seconds) are
    /// refused by every agent; one issued later to the same name works.
    case revokeOperator(name: String, issuedBefore: UInt64)
    /// A slot of the disruption budget (SPEC §13) for `slot.holder`, with the next slot term.
    case grantSlot(DisruptionSlot)
    /// The slot `holder` holds under `term` is free again.
    case releaseSlot(holder: NodeID, term: UInt32)
    /// A rolling upgrade (SPEC §13) starts; from STABLE it also starts the upgrade.
    case startRollout(RolloutPlan)
    case pauseRollout
    case resumeRollout
    /// No member is taken out any more; a turn under way still ends.
    case abortRollout
    /// `holder`'s turn under slot `term` ended: done, or failed with the reason (the rollout halts).
    /// Either way the slot is free again.
    case endRolloutTurn(holder: NodeID, term: UInt32, failure: String?)

    /// The longest text (reason, message) a decision carries, in UTF-8 bytes: every vote repeats
    /// the value, and a vote must fit one datagram beside its signature and certificate.
    public static let maxTextLength = 200
    /// The most members one admission names: a vote's body (slot, ballot, value) of 46 + 32 × 14
    /// bytes stays within a statement's 512, and the vote within one datagram beside the
    /// sender's certificate.
    public static let maxAdmissionBatch = 14

    private enum Tag: UInt8 {
        case found = 1, admit, remove, startUpgrade, cancelUpgrade, approveUpgrade, retryUpgrade
        case grantLease, renewLease, finishTasks, failTasks
        case maintenanceOn, maintenanceOff, setBanner, clearBanner
        case installKey, useKey, removeKey
        case revoke, revokeOperator
        case grantSlot, releaseSlot
        case startRollout, pauseRollout, resumeRollout, abortRollout, endRolloutTurn
    }

    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .found(let founder, let version):
            writer.write(uint8: Tag.found.rawValue)
            writer.write(founder)
            writer.write(shortString: version)
        case .admit(let members):
            writer.write(uint8: Tag.admit.rawValue)
            writer.write(uint8: UInt8(members.count))
            for member in members { writer.write(member) }
        case .remove(let member):
            writer.write(uint8: Tag.remove.rawValue)
            writer.write(member)
        case .startUpgrade:
            writer.write(uint8: Tag.startUpgrade.rawValue)
        case .cancelUpgrade:
            writer.write(uint8: Tag.cancelUpgrade.rawValue)
        case .approveUpgrade(let target):
            writer.write(uint8: Tag.approveUpgrade.rawValue)
            writer.write(shortString: target)
        case .retryUpgrade:
            writer.write(uint8: Tag.retryUpgrade.rawValue)
        case .grantLease(let runner, let term, let duration):
            writer.write(uint8: Tag.grantLease.rawValue)
            writer.write(runner)
            writer.write(uint32: term)
            writer.write(uint32: duration)
        case .renewLease(let term):
            writer.write(uint8: Tag.renewLease.rawValue)
            writer.write(uint32: term)
        case .finishTasks(let term):
            writer.write(uint8: Tag.finishTasks.rawValue)
            writer.write(uint32: term)
        case .failTasks(let term, let reason):
            writer.write(uint8: Tag.failTasks.rawValue)
            writer.write(uint32: term)
            writer.write(shortString: reason.truncatedUTF8(maxBytes: Self.maxTextLength))
        case .maintenanceOn(let message):
            writer.write(uint8: Tag.maintenanceOn.rawValue)
            writer.write(shortString: message.truncatedUTF8(maxBytes: Self.maxTextLength))
        case .maintenanceOff:
            writer.write(uint8: Tag.maintenanceOff.rawValue)
        case .setBanner(let banner):
            writer.write(uint8: Tag.setBanner.rawValue)
            banner.encode(into: &writer)
        case .clearBanner:
            writer.write(uint8: Tag.clearBanner.rawValue)
        case .installKey(let key):
            writer.write(uint8: Tag.installKey.rawValue)
            key.encode(into: &writer)
        case .useKey(let key):
            writer.write(uint8: Tag.useKey.rawValue)
            writer.write(bytes: key.bytes)
        case .removeKey(let key):
            writer.write(uint8: Tag.removeKey.rawValue)
            writer.write(bytes: key.bytes)
        case .revoke(let member):
            writer.write(uint8: Tag.revoke.rawValue)
            writer.write(member)
        case .revokeOperator(let name, let issuedBefore):
            writer.write(uint8: Tag.revokeOperator.rawValue)
            writer.write(shortString: name.truncatedUTF8(maxBytes: OperatorCredential.maxNameLength))
            writer.write(uint64: issuedBefore)
        case .grantSlot(let slot):
            writer.write(uint8: Tag.grantSlot.rawValue)
            slot.encode(into: &writer)
        case .releaseSlot(let holder, let term):
            writer.write(uint8: Tag.releaseSlot.rawValue)
            writer.write(holder)
            writer.write(uint32: term)
        case .startRollout(let plan):
            writer.write(uint8: Tag.startRollout.rawValue)
            plan.encode(into: &writer)
        case .pauseRollout:
            writer.write(uint8: Tag.pauseRollout.rawValue)
        case .resumeRollout:
            writer.write(uint8: Tag.resumeRollout.rawValue)
        case .abortRollout:
            writer.write(uint8: Tag.abortRollout.rawValue)
        case .endRolloutTurn(let holder, let term, let failure):
            writer.write(uint8: Tag.endRolloutTurn.rawValue)
            writer.write(holder)
            writer.write(uint32: term)
            writer.write(uint8: failure == nil ? 0 : 1)
            if let failure { writer.write(shortString: failure.truncatedUTF8(maxBytes: Self.maxTextLength)) }
        }
    }

    /// The encoding with secrets left out, for open reads and logs: a key install carries its
    /// kind and key id only. Equal values still give equal bytes.
    public var publicEncoding: [UInt8] {
        guard case .installKey(let key) = self else { return encoded }
        return [Tag.installKey.rawValue] + key.id.bytes
    }

    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 48)
        encode(into: &writer)
        return writer.bytes
    }

    public static func decode(from reader: inout ByteReader) throws(WireError) -> DecisionValue {
        let raw = try reader.readUInt8()
        guard let tag = Tag(rawValue: raw) else { throw .invalidField("decision kind \(raw)") }
        switch tag {
        case .found:
            let founder = try reader.readNodeID()
            return .found(founder: founder, clusterVersion: try reader.readShortString(maxLength: Heartbeat.maxVersionLength))
        case .admit: return .admit(try readAdmitted(from: &reader))
        case .remove: return .remove(try reader.readNodeID())
        case .startUpgrade: return .startUpgrade
        case .cancelUpgrade: return .cancelUpgrade
        case .approveUpgrade:
            return .approveUpgrade(targetVersion: try reader.readShortString(maxLength: Heartbeat.maxVersionLength))
        case .retryUpgrade: return .retryUpgrade
        case .grantLease:
            let runner = try reader.readNodeID()
            let term = try reader.readUInt32()
            return .grantLease(runner: runner, term: term, durationMilliseconds: try reader.readUInt32())
        case .renewLease: return .renewLease(term: try reader.readUInt32())
        case .finishTasks: return .finishTasks(term: try reader.readUInt32())
        case .failTasks:
            let term = try reader.readUInt32()
            return .failTasks(term: term, reason: try reader.readShortString(maxLength: maxTextLength))
        case .maintenanceOn: return .maintenanceOn(message: try reader.readShortString(maxLength: maxTextLength))
        case .maintenanceOff: return .maintenanceOff
        case .setBanner: return .setBanner(try AnnouncementBanner.decode(from: &reader))
        case .clearBanner: return .clearBanner
        case .installKey: return .installKey(try GossipKey.decode(from: &reader))
        case .useKey: return .useKey(KeyID(try reader.readBytes(count: KeyID.byteCount)))
        case .removeKey: return .removeKey(KeyID(try reader.readBytes(count: KeyID.byteCount)))
        case .revoke: return .revoke(try reader.readNodeID())
        case .revokeOperator:
            let name = try reader.readShortString(maxLength: OperatorCredential.maxNameLength)
            return .revokeOperator(name: name, issuedBefore: try reader.readUInt64())
        case .grantSlot: return .grantSlot(try DisruptionSlot.decode(from: &reader))
        case .releaseSlot:
            let holder = try reader.readNodeID()
            return .releaseSlot(holder: holder, term: try reader.readUInt32())
        case .startRollout: return .startRollout(try RolloutPlan.decode(from: &reader))
        case .pauseRollout: return .pauseRollout
        case .resumeRollout: return .resumeRollout
        case .abortRollout: return .abortRollout
        case .endRolloutTurn:
            let holder = try reader.readNodeID()
            let term = try reader.readUInt32()
            let failed = try reader.readUInt8()
            guard failed <= 1 else { throw .invalidField("rollout turn outcome \(failed)") }
            let failure = failed == 1 ? try reader.readShortString(maxLength: maxTextLength) : nil
            return .endRolloutTurn(holder: holder, term: term, failure: failure)
        }
    }

    /// An admission's ids: a count within the batch limit, then ids in strictly ascending
    /// order, so one set of members has one encoding and every vote for it carries the same value.
    private static func readAdmitted(from reader: inout ByteReader) throws(WireError) -> [NodeID] {
        let count = Int(try reader.readUInt8())
        guard (1...maxAdmissionBatch).contains(count) else { throw .invalidField("admission of \(count) members") }
        var members: [NodeID] = []
        members.reserveCapacity(count)
        for _ in 0..<count {
            let member = try reader.readNodeID()
            guard members.last.map({ $0 < member }) ?? true else { throw .invalidField("admitted ids out of order") }
            members.append(member)
        }
        return members
    }
}
