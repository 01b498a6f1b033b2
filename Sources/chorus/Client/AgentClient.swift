import ArgumentParser
import AsyncHTTPClient
import ChorusAgent
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The CLI's one way to the agent's local endpoint (AsyncHTTPClient), requests and the events stream.
///
/// Every failure ends the command with the exit code scripts rely on (SPEC §9): 2 when the
/// agent cannot be reached (message on stderr naming the address), 1 when it answered with an
/// error or with a body this CLI cannot read.
struct AgentClient {
    let address: String

    static let unreachable = ExitCode(2)
    static let agentError = ExitCode(1)

    /// The status and body of `GET path`; transport failures exit with code 2.
    func get(_ path: String) async throws -> (status: Int, body: Data) {
        try await send("GET", path)
    }

    /// The status and body of a request; transport failures exit with code 2. Commands wait
    /// for a decision (the agent gives up after its command timeout), so the timeout is longer.
    func send(_ method: String, _ path: String, token: String? = nil, body: Data? = nil,
              timeout: Double = 5) async throws -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: "http://\(address)\(path)")
        request.method = HTTPMethod(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        do {
            return try await withHTTPClient { http in
                let response = try await http.execute(request, timeout: TimeAmount(.seconds(timeout)))
                let answer = try await response.body.collect(upTo: Self.largestBody)
                return (Int(response.status.code), Data(answer.readableBytesView))
            }
        } catch {
            throw unreachable(error)
        }
    }

    /// Opens `GET path` as a Server-Sent Events stream and hands each event's data to `onEvent`
    /// as it arrives; returns when the agent ends the stream. No timeout: a follower waits as
    /// long as the agent runs.
    func streamEvents(_ path: String, onEvent: (String) -> Void) async throws {
        var request = HTTPClientRequest(url: "http://\(address)\(path)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        try await withHTTPClient { http in
            let response: HTTPClientResponse
            do {
                response = try await http.execute(request, deadline: .distantFuture)
            } catch {
                throw unreachable(error)
            }
            guard response.status == .ok else {
                printError("chorus: the agent answered: \(response.version) \(response.status)")
                throw Self.agentError
            }
            var parser = ServerSentEventParser()
            do {
                for try await piece in response.body {
                    for event in parser.consume(piece.readableBytesView) { onEvent(event.data) }
                }
            } catch {
                printError("chorus: the event stream from \(address) broke off: \(error)")
                throw Self.agentError
            }
        }
    }

    /// Runs `body` with a client made for one agent on a known address: a refused connection
    /// fails at once rather than being retried until the deadline, and no read timeout cuts off
    /// an events stream that is quiet for a while (each request sets its own deadline).
    private func withHTTPClient<Result>(_ body: (HTTPClient) async throws -> Result) async throws -> Result {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        let http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        do {
            let result = try await body(http)
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    /// A members list of thousands is a few megabytes; more than this is not the agent talking.
    private static let largestBody = 64 << 20

    /// Reports a request that got no answer, in the words of the client earlier versions used (libcurl's).
    private func unreachable(_ error: any Error) -> ExitCode {
        let timeouts: [HTTPClientError] = [.deadlineExceeded, .readTimeout, .connectTimeout]
        let reason = switch error {
        case let error as HTTPClientError where timeouts.contains(error): "Timeout was reached"
        case let error as NIOConnectionError where error.connectionErrors.isEmpty: "Could not resolve host: \(error.host)"
        case is IOError, is NIOConnectionError: "Couldn't connect to server"
        default: String(describing: error)
        }
        printError("chorus: cannot reach the agent at \(address): \(reason)")
        return Self.unreachable
    }

    /// `GET path`, expecting 200 and a `T` body; anything else exits with code 1.
    func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        let (status, body) = try await get(path)
        guard status == 200 else { throw failure(path, status: status, body: body) }
        return try decode(T.self, from: body, path: path)
    }

    func decode<T: Decodable>(_ type: T.Type, from body: Data, path: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            printError("chorus: unreadable answer from \(address)\(path): \(error)")
            throw Self.agentError
        }
    }

    /// Reports an error answer on stderr, with the agent's `{"error","reason"}` when it sent one.
    func failure(_ path: String, status: Int, body: Data) -> ExitCode {
        let detail = (try? JSONDecoder().decode(ErrorResponse.self, from: body)).map { "\($0.error): \($0.reason)" }
            ?? String(decoding: body.prefix(200), as: UTF8.self)
        printError("chorus: \(address)\(path) answered \(status): \(detail)")
        return Self.agentError
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
