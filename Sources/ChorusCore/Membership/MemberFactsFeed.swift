import ChorusWire
import HashTreeCollections

/// What membership tells the decision engine: every member's status, version and name (this
/// node's too), kept in step by every write to a member, and the copy the engine decides on.
/// The copy is taken at most every `refreshInterval` while ticking, and at once for a command,
/// and only when something changed; it shares the trie, so taking it costs nothing
/// (docs/simulator.md, "The decision view is rebuilt only when...").
struct MemberFactsFeed {
    static let refreshInterval = Duration.milliseconds(250)

    private var facts: MemberFactsView
    /// `facts` as the decision engine last saw it.
    private(set) var decisionView = MemberFactsView()
    private var refreshedAt = Instant.zero
    /// Some member's facts changed (or one came or went) since `decisionView` was taken.
    private var isStale = true

    init(_ facts: MemberFactsView) { self.facts = facts }

    subscript(member: NodeID) -> MemberFacts? {
        get { facts[member] }
        set {
            facts[member] = newValue
            isStale = true
        }
    }

    /// Every member's facts as they stand now, for a read that cannot wait for a refresh.
    var current: MemberFactsView { facts }

    /// A whole view taken over (a converged start from a roster).
    mutating func replace(with view: MemberFactsView) {
        facts = view
        isStale = true
    }

    mutating func refreshDecisionView(now: Instant, force: Bool = false) {
        guard force || now >= refreshedAt + Self.refreshInterval || decisionView.isEmpty else { return }
        refreshedAt = now
        guard isStale || decisionView.isEmpty else { return }
        isStale = false
        decisionView = facts // O(1): the trie is shared until either side changes
    }
}
