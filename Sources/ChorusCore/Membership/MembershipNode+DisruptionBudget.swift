import ChorusWire

extension MembershipNode {
    /// Whether this node may take a reboot slot for FleetLock client `clientID` now (SPEC §13),
    /// as the log and this node's current view say; a grant still goes through a decision.
    public func rebootSlotVerdict(clientID: String, group: String) -> DisruptionBudget.Verdict {
        DisruptionBudget.verdict(for: id, purpose: .reboot(clientID: clientID, group: group), agreed: decisions.agreed,
                                 members: memberFacts.current)
    }
}
