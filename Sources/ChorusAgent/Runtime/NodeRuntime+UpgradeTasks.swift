import ChorusCore

/// The upgrade-tasks command of a lease runs as a child task (`ChildTasks`): stopping it cancels
/// that task, which kills the command's process group; its end comes back to this actor.
extension NodeRuntime {
    func startTasks(_ assignment: TaskAssignment) {
        let (stopped, stop) = AsyncStream<Never>.makeStream()
        stopRunningTasks()
        runningTasks = (assignment.term, stop)
        let command = tasksCommand
        let logger = logger
        children.spawn { [weak self] in
            let failure = await withTaskGroup(of: String??.self) { group in
                group.addTask { .some(await command.run(assignment, logger: logger)) }
                group.addTask {
                    for await _ in stopped {}
                    return .none
                }
                let first = await group.next() ?? .none
                group.cancelAll()
                return first
            }
            guard let failure else { return }
            await self?.tasksEnded(term: assignment.term, failure: failure)
        }
    }

    /// Cancels the running command's child task, if any, which kills its process group.
    func stopRunningTasks() {
        runningTasks?.stop.finish()
        runningTasks = nil
    }

    /// A reload's `[upgrade] tasks_command` and `tasks_timeout`: a command already running keeps its own.
    func updateTasksCommand(_ command: UpgradeTasksCommand) { tasksCommand = command }
}
