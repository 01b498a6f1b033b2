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

extension ChildTasks {
    /// Runs `work` as a child until it ends, or until the returned handle is finished, which
    /// cancels it (a command's process group is killed). `ended` hears the result only when
    /// `work` ended on its own.
    func spawnStoppable<Result: Sendable>(_ work: @escaping @Sendable () async -> Result,
                                          ended: @escaping @Sendable (Result) async -> Void) -> AsyncStream<Never>.Continuation {
        let (stopped, stop) = AsyncStream<Never>.makeStream()
        spawn {
            let result = await withTaskGroup(of: Result?.self) { group in
                group.addTask { await work() }
                group.addTask {
                    for await _ in stopped {}
                    return nil
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
            if let result { await ended(result) }
        }
        return stop
    }
}
