/// Limits on the incarnations a peer can make this node hold, so that no number a peer sends
/// can trap the arithmetic or put a member beyond the reach of its own refutation.
///
/// Only a node signs its own heartbeats, so honest incarnations grow by one per refutation or
/// restart. Accusations name an incarnation too, and any certificate holder can sign one: an
/// accusation is believed only up to `accusationLead` above the highest incarnation its subject
/// has signed that we hold. Top of the range: no heartbeat above `maximum` is accepted, and a
/// refutation saturates there. With each accepted accusation moving a member by at most
/// `accusationLead`, reaching `maximum` takes 2^52 of them; a node that signs its own way up
/// there can no longer refute, which harms only itself.
public enum IncarnationBounds {
    public static let maximum: UInt64 = 1 << 62
    public static let accusationLead: UInt64 = 1 << 10

    /// Whether an accusation at `accused` is believable of a member last seen at `held`.
    static func isPlausible(accused: UInt64, held: UInt64) -> Bool {
        accused <= maximum && (accused <= held || accused - held <= accusationLead)
    }

    /// The incarnation that outlives an accusation at `accused` of a node now at `current`.
    static func refuting(_ accused: UInt64, current: UInt64) -> UInt64 {
        min(max(current, accused), maximum - 1) + 1
    }
}
