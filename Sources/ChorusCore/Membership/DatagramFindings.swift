import ChorusWire

/// What handling one datagram's records learns that is acted on once the whole datagram is
/// applied. Local to that handling, never kept on the node.
struct DatagramFindings {
    /// It accused us at an incarnation we already outlived: its sender missed our refutation.
    var staleAccusationOfSelf = false
    /// Members first heard of in it, not announced yet (`announceArrivals`).
    var arrivals: [NodeID] = []
}
