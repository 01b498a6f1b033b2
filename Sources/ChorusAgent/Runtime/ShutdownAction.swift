import ServiceLifecycle

/// Runs `action` when graceful shutdown begins (SIGTERM, SIGINT), as part of the agent's
/// `ServiceGroup`, which shuts services down from the last to the first.
struct ShutdownAction: Service {
    let action: @Sendable () -> Void

    func run() async throws {
        try? await gracefulShutdown()
        action()
    }
}
