extension MembershipSettings {
    /// `3 * probeInterval`: how long after this node announced a member as joined (new, or back
    /// after death or leave) its own probes do not accuse it. A member that just started is
    /// busy verifying the cluster it joins, and in a join storm shares its CPU with every other
    /// starter: its first probes may go unanswered without its being dead. lan: 1.5 s.
    public var newcomerGrace: Duration { probeInterval * 3 }
}
