import Foundation
import Testing

extension ProcessCluster {
    /// Starts every agent (node-1 founds, the others join it) and waits until each answers 200
    /// on /v1/health/lb: the starting point of the operations tests (load balancers, status page).
    public func startServing() async throws {
        try startAll()
        let serving = await eventually(within: .seconds(20)) {
            for agent in agents where await agent.status(of: "/v1/health/lb") != 200 { return false }
            return true
        }
        try #require(serving != nil, "\(agents.count) agents did not all pass their load-balancer check within 20 s")
    }
}

extension AgentProcess {
    /// A mutation with this agent's admin token and an optional JSON body; the status and body,
    /// or nil when the agent did not answer within `timeout`.
    public func mutation(_ method: String, _ path: String, json: String? = nil,
                  timeout: Duration = .seconds(5)) async throws -> (status: Int, body: String)? {
        let token = try String(contentsOf: dataDirectory.appendingPathComponent("admin.token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var headers = ["Authorization": "Bearer \(token)"]
        if json != nil { headers["Content-Type"] = "application/json" }
        return await fetch("http://127.0.0.1:\(httpPort)\(path)", method: method, headers: headers,
                           body: json.map { Data($0.utf8) }, timeout: timeout)
    }

    /// The status code of `mutation`, or nil when the agent did not answer.
    public func mutate(_ method: String, _ path: String, json: String? = nil) async throws -> Int? {
        try await mutation(method, path, json: json)?.status
    }
}
