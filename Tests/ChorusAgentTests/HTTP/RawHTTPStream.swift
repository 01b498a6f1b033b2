import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a streaming response (SSE) over a plain socket: URLSession cannot stream on Linux.
/// Returns what arrived until `enough` says so or `timeout` passes. The blocking reads run on a
/// thread of their own: on a two-core machine the cooperative pool has two threads, and holding
/// one for seconds starves the server under test of the very tasks that would answer.
func readStream(base: String, path: String, headers: [String: String] = [:], timeout: Duration = .seconds(5),
                enough: @escaping @Sendable (String) -> Bool) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result {
                try readStreamBlocking(base: base, path: path, headers: headers, timeout: timeout, enough: enough)
            })
        }
    }
}

private func readStreamBlocking(base: String, path: String, headers: [String: String], timeout: Duration,
                                enough: (String) -> Bool) throws -> String {
    guard let url = URL(string: base), let port = url.port else { throw StreamError.badURL }
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw StreamError.socket }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw StreamError.connect }
    var wait = timeval(tv_sec: 0, tv_usec: 200_000)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
    let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + headers.map { "\($0.key): \($0.value)\r\n" }.joined() + "\r\n"
    _ = request.withCString { send(fd, $0, strlen($0), 0) }
    var received = Data()
    var buffer = [UInt8](repeating: 0, count: 4096)
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        let count = recv(fd, &buffer, buffer.count, 0)
        if count > 0 { received.append(contentsOf: buffer[0..<count]) }
        if count == 0 { break }
        if enough(String(decoding: received, as: UTF8.self)) { break }
    }
    return String(decoding: received, as: UTF8.self)
}

enum StreamError: Error { case badURL, socket, connect }
