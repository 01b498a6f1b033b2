import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads `GET /v1/events` as it arrives: URLSession cannot stream a response on Linux, so this
/// speaks just enough HTTP/1.1 over a socket (a request, the header, chunked transfer coding)
/// and hands each Server-Sent Event's `data:` to `onEvent`, in order. Blocking; returns when the
/// agent ends the stream.
struct EventStreamReader {
    let host: String
    let port: Int

    func read(path: String, onEvent: (String) -> Void) throws {
        let fd = try connectSocket()
        defer { close(fd) }
        let request = "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var input = SocketInput(fd: fd)
        let status = try input.line()
        guard status.hasPrefix("HTTP/1.1 200") else { throw failure("the agent answered: \(status)") }
        var chunked = false
        while true {
            let header = try input.line()
            if header.isEmpty { break }
            if header.lowercased().hasPrefix("transfer-encoding:") && header.lowercased().contains("chunked") { chunked = true }
        }
        var pending = ""
        while let piece = try chunked ? input.chunk() : input.available() {
            pending += piece
            while let end = pending.range(of: "\n\n") {
                let block = pending[..<end.lowerBound]
                pending = String(pending[end.upperBound...])
                let data = block.split(separator: "\n").filter { $0.hasPrefix("data: ") }.map { $0.dropFirst(6) }.joined(separator: "\n")
                if !data.isEmpty { onEvent(data) }
            }
        }
    }

    private func connectSocket() throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &results) == 0, let first = results else {
            throw failure("cannot resolve \(host)")
        }
        defer { freeaddrinfo(results) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            let fd = socket(current.pointee.ai_family, current.pointee.ai_socktype, current.pointee.ai_protocol)
            if fd >= 0, connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 { return fd }
            if fd >= 0 { close(fd) }
            entry = current.pointee.ai_next
        }
        printError("chorus: cannot reach the agent at \(host):\(port)")
        throw AgentClient.unreachable
    }

    private func failure(_ message: String) -> ExitCode {
        printError("chorus: \(message)")
        return AgentClient.agentError
    }
}

/// Buffered reads from a socket: lines (CRLF), chunks of the chunked coding, or whatever came.
private struct SocketInput {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var closed = false

    init(fd: Int32) { self.fd = fd }

    private mutating func fill() throws {
        var block = [UInt8](repeating: 0, count: 8192)
        let count = recv(fd, &block, block.count, 0)
        if count <= 0 { closed = true } else { buffer.append(contentsOf: block[0..<count]) }
    }

    mutating func line() throws -> String {
        while true {
            if let index = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[..<index].filter { $0 != UInt8(ascii: "\r") }
                buffer.removeSubrange(...index)
                return String(decoding: line, as: UTF8.self)
            }
            guard !closed else { throw ExitCode(1) }
            try fill()
        }
    }

    /// The next chunk's text, nil at the last (zero-size) chunk or when the agent closes.
    mutating func chunk() throws -> String? {
        guard let size = Int(try line().split(separator: ";").first ?? "", radix: 16), size > 0 else { return nil }
        while buffer.count < size + 2 {
            guard !closed else { return nil }
            try fill()
        }
        let text = String(decoding: buffer[..<size], as: UTF8.self)
        buffer.removeSubrange(..<(size + 2))
        return text
    }

    mutating func available() throws -> String? {
        if buffer.isEmpty { try fill() }
        guard !buffer.isEmpty else { return nil }
        defer { buffer.removeAll() }
        return String(decoding: buffer, as: UTF8.self)
    }
}
