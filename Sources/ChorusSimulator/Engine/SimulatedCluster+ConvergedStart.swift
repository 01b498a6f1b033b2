import ChorusCore
import ChorusWire

extension SimulatedCluster {
    /// `size` hosts that boot as members of a long-running cluster: each already knows every
    /// other's certificate and heartbeat (`MembershipNode.assumeConverged`), so the run starts
    /// without a join storm. Membership only: nobody founds a decision log, so no admissions run.
    /// Every host starts from one `ConvergedRoster`, so the views share their tables until each
    /// host changes an entry. For figures runs; the join is measured on its own.
    public init(convergedSize size: Int, seed: UInt64, settings: MembershipSettings = .lan,
                signatures: IdentityFactory.Signatures = .ed25519) {
        self.init(size: 0, seed: seed, settings: settings, signatures: signatures)
        founder = nil
        let indices = (0..<size).map { _ in addHost() }
        // A core signs the same first heartbeat each time it is made from the same state, so
        // the roster can come from throwaway cores, and no second copy of any view is held.
        let known = indices.compactMap { index in
            KnownMember(certificate: hosts[index].identity.certificate,
                        statement: makeCore(index, foundsCluster: false).ownSignedHeartbeat)
        }
        let roster = ConvergedRoster(known, authorityKey: identities.authorityKey, scheme: scheme, now: now,
                                     unixSeconds: unixSeconds(0))
        var observer = NoObserver()
        for index in indices {
            var core = makeCore(index, foundsCluster: false)
            core.assumeConverged(roster)
            start(index, core: &core, observer: &observer)
        }
    }
}
