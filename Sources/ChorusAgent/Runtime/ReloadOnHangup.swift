import ServiceLifecycle
import UnixSignals

/// SIGHUP reloads the agent (`AgentReloader`), as `chorus reload` does: the systemd unit's
/// `ExecReload` sends it. A service of the agent's `ServiceGroup`, so it runs until the
/// graceful shutdown; a refused reload is logged, and the agent goes on as it was.
struct ReloadOnHangup: Service {
    let reloader: AgentReloader

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            _ = try? await reloader.reload(by: "SIGHUP")
        }
    }
}
