import ServiceLifecycle

/// The agent's one place for work that outlives the input that started it (an upgrade-tasks
/// command, the leave after its HTTP answer): each runs as a child of one task group under the
/// ServiceGroup, so graceful shutdown cancels whatever still runs and waits for it, and nothing
/// is left running unowned.
public struct ChildTasks: Service {
    private let queue: AsyncStream<@Sendable () async -> Void>
    private let queueing: AsyncStream<@Sendable () async -> Void>.Continuation

    public init() { (queue, queueing) = AsyncStream.makeStream() }

    /// Runs `work` as a child of the group; it is cancelled if the agent shuts down first, and
    /// never started if shutdown has begun (the agent is stopping: nothing new should start).
    func spawn(_ work: @escaping @Sendable () async -> Void) { queueing.yield(work) }

    public func run() async {
        await withDiscardingTaskGroup { group in
            for await work in queue.cancelOnGracefulShutdown() {
                group.addTask(operation: work)
            }
            group.cancelAll()
        }
    }
}
