import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One check of the application's health (SPEC §13): a GET of `[app] health_url` answered 2xx,
/// or `[app] health_command` exiting 0, within the timeout.
enum ApplicationHealthCheck {
    /// A health answer's body is read this far and no further: only the status counts.
    static let maxBodyBytes = 64 * 1024

    /// nil when healthy, else why not.
    static func run(_ check: ApplicationChecks.HealthCheck, timeout: Duration, client: HTTPClient,
                    guardExecutable: String = "/proc/self/exe") async -> ApplicationCheckFailure? {
        switch check {
        case .none:
            return nil
        case .url(let url):
            do {
                let request = HTTPClientRequest(url: url)
                let response = try await client.execute(request, deadline: .now() + TimeAmount(timeout))
                var read = 0
                for try await chunk in response.body {
                    read += chunk.readableBytes
                    if read >= maxBodyBytes { break }
                }
                guard (200..<300).contains(response.status.code) else {
                    return ApplicationCheckFailure("GET \(url) answered \(response.status.code)")
                }
                return nil
            } catch {
                return ApplicationCheckFailure("GET \(url) failed: \(error)")
            }
        case .command(let command):
            do {
                let outcome = try await GuardedCommand(command: command, timeout: timeout,
                                                       guardExecutable: guardExecutable).run()
                return outcome.failure(timeout: timeout).map { ApplicationCheckFailure("[app] health_command: \($0)") }
            } catch {
                return ApplicationCheckFailure("[app] health_command cannot start: \(error)")
            }
        }
    }
}
