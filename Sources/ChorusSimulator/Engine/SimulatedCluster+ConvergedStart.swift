import ChorusCore
import ChorusWire

extension SimulatedCluster {
    /// `size` hosts that boot as members of a long-running cluster: each already knows every
    /// other's certificate and heartbeat (`MembershipNode.assumeConverged`), so the run starts
    /// without a join storm. Membership only: nobody founds a decision log, so no admissions run.
    /// Every host starts from one `ConvergedRoster`, so the views share their tables until each
    /// host changes an entry. Each host's rounds start after a delay drawn from [0, probe interval),
    /// as if the hosts had booted at different moments: booted in one instant, every node would
    /// probe and gossip in step, and news and detections would arrive in lockstep waves. For
    /// figures runs; the join is measured on its own.
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
        var phases = SeededRandom(seed: seed ^ 0x7068_6173_6573_2121)
        for index in indices {
            let delay = Duration.nanoseconds(Int64(phases.next(upperBound: UInt64(settings.probeInterval.nanoseconds))))
            var core = makeCore(index, foundsCluster: false, firstRoundDelay: delay)
            core.assumeConverged(roster)
            start(index, core: &core, observer: &observer)
        }
    }
}
