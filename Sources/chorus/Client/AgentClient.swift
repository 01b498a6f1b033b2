import ArgumentParser
import ChorusAgent
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A small HTTP/1.1 client for the agent's local endpoint.
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
        guard let url = URL(string: "http://\(address)\(path)") else {
            throw ValidationError("cannot form a URL from '\(address)'")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        do {
            let (data, response) = try await session.data(for: request)
            guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
            return (http.statusCode, data)
        } catch {
            printError("chorus: cannot reach the agent at \(address): \(error.localizedDescription)")
            throw Self.unreachable
        }
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
