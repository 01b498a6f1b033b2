import Foundation
import Testing

@testable import ChorusAgent

/// DNS rebinding, as the attacker's page would do it: its own name, resolving to 127.0.0.1, in
/// `Host`. Refused; IP addresses, localhost and requests without `Host` are served.
@Suite struct HostCheckTests {
    @Test func aNameThatIsNotTheEndpointsIsRefused() async throws {
        try await withHTTPServer(source: FakeStatusSource(local: FakeStatusSource.member("a", seed: 1, isLocal: true))) { client in
            let port = client.port
            for (host, status) in [("attacker.example:\(port)", 403), ("rebind.attacker.example", 403),
                                   ("127.0.0.1:\(port)", 200), ("localhost:\(port)", 200), ("LocalHost", 200),
                                   ("[::1]:\(port)", 200), ("10.1.2.3", 200)] {
                let response = try await client.request("/v1/self", host: host)
                #expect(response.status == status, "Host: \(host)")
                if status == 403 { #expect(response.text.contains("host-not-allowed")) }
            }
        }
    }

    @Test func theBoundNameIsAccepted() {
        let check = HostCheckMiddleware(boundHost: "agent-1.internal")
        #expect(check.names == ["localhost", "agent-1.internal"])
        #expect(HostCheckMiddleware(boundHost: "0.0.0.0").names == ["localhost"])
        #expect(HostCheckMiddleware(boundHost: "0.0.0.0", allowed: ["Node-1.Internal"]).names == ["localhost", "node-1.internal"])
        #expect(HostCheckMiddleware.hostName(of: "[fe80::1]:7721") == "fe80::1")
        #expect(HostCheckMiddleware.hostName(of: "::1") == "::1")
        #expect(HostCheckMiddleware.hostName(of: "node:7721") == "node")
    }
}
