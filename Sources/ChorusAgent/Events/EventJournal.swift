import ChorusCore
import Foundation
import NIOConcurrencyHelpers

/// The agent's recent events, in order, with live subscribers (SSE clients, the hook runner).
/// Keeps the last `capacity` events so a client reconnecting with `Last-Event-ID` gets what it
/// missed. Ids keep growing across agent restarts (`firstID(bootedAt:)`), so a client that
/// resumes with an id from before a restart gets every event of the new run, not a gap.
public final class EventJournal: Sendable {
    public static let defaultCapacity = 1024

    private struct State {
        var events: [AgentEvent] = []
        var nextID: UInt64 = 1
        var subscribers: [UUID: AsyncStream<AgentEvent>.Continuation] = [:]
        var closed = false
    }

    private let state = NIOLockedValueBox(State())
    private let capacity: Int
    private let node: String

    public init(node: String, capacity: Int = EventJournal.defaultCapacity, firstID: UInt64 = 1) {
        self.node = node
        self.capacity = capacity
        state.withLockedValue { $0.nextID = max(firstID, 1) }
    }

    /// The first id of an agent started at `unixSeconds`: a million ids per second of wall time
    /// since the epoch, so a later start begins above any id an earlier run could have reached
    /// (unless the wall clock went back), and ids stay below 2^53 for JSON readers.
    public static func firstID(bootedAt unixSeconds: UInt64) -> UInt64 {
        unixSeconds * 1_000_000 + 1
    }

    /// Appends an event and hands it to every subscriber, in the order appended.
    public func record(_ name: EventName, member: MemberResponse? = nil, cluster: ClusterResponse? = nil, slot: AgentEvent.Slot? = nil) {
        let time = Date().formatted(.iso8601)
        state.withLockedValue { state in
            let event = AgentEvent(id: state.nextID, event: name.rawValue, time: time, node: node, member: member, cluster: cluster,
                                   slot: slot)
            state.nextID += 1
            state.events.append(event)
            if state.events.count > capacity { state.events.removeFirst(state.events.count - capacity) }
            for subscriber in state.subscribers.values { subscriber.yield(event) }
        }
    }

    /// Events after `lastID` still held, then every new one, until the stream is dropped.
    public func subscribe(after lastID: UInt64?) -> AsyncStream<AgentEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: AgentEvent.self, bufferingPolicy: .bufferingNewest(capacity))
        let key = UUID()
        state.withLockedValue { state in
            for event in state.events where event.id > (lastID ?? 0) { continuation.yield(event) }
            if state.closed { continuation.finish() } else { state.subscribers[key] = continuation }
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLockedValue { $0.subscribers.removeValue(forKey: key) }
        }
        return stream
    }

    public var recent: [AgentEvent] { state.withLockedValue { $0.events } }

    /// Ends every stream (the agent is stopping): an open `GET /v1/events` would otherwise hold
    /// the HTTP server's graceful shutdown forever.
    public func close() {
        let subscribers = state.withLockedValue { state in
            state.closed = true
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }
}
