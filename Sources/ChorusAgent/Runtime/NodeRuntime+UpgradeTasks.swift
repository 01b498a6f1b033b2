import ChorusCore

/// The upgrade-tasks command of a lease runs as a child task (`ChildTasks`): stopping it cancels
/// that task, which kills the command's process group; its end comes back to this actor.
extension NodeRuntime {
    func startTasks(_ assignment: TaskAssignment) {
        stopRunningTasks()
        let command = tasksCommand
        let logger = logger
        let stop = children.spawnStoppable({ await command.run(assignment, logger: logger) }) { [weak self] failure in
            await self?.tasksEnded(term: assignment.term, failure: failure)
        }
        runningTasks = (assignment.term, stop)
    }

    /// Cancels the running command's child task, if any, which kills its process group.
    func stopRunningTasks() {
        runningTasks?.stop.finish()
        runningTasks = nil
    }

    /// A reload's `[upgrade] tasks_command` and `tasks_timeout`: a command already running keeps its own.
    func updateTasksCommand(_ command: UpgradeTasksCommand) { tasksCommand = command }
}
