import ChorusCore
import ChorusWire
import Foundation
import Hummingbird
import NIOCore

/// Small JSON request bodies: bounded, unknown fields ignored (SPEC §7), errors answered 400.
enum RequestBody {
    static let maxBytes = 4096

    /// The decoded body, or nil when it is empty.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T? {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, error: "too-large", reason: "the body is larger than \(maxBytes) bytes")
        }
        guard buffer.readableBytes > 0 else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError(.badRequest, error: "invalid-request", reason: "the body is not the expected JSON: \(error)")
        }
    }

    /// Text a decision carries, refused (not cut) when longer than a decision may hold, or when
    /// it holds a control character other than a tab or a newline (a NUL cuts the text short in
    /// C readers of the log and hooks' environment; the rest garble terminals and pages).
    static func text(_ value: String, field: String) throws -> String {
        if let control = firstControlCharacter(in: value, allowing: ["\t", "\n"]) {
            throw APIError(.badRequest, error: "invalid-request",
                           reason: "\(field) holds the control character U+\(String(format: "%04X", control.value)); only tabs and newlines are allowed")
        }
        guard value.utf8.count <= DecisionValue.maxTextLength else {
            throw APIError(.badRequest, error: "invalid-request",
                           reason: "\(field) is \(value.utf8.count) bytes; at most \(DecisionValue.maxTextLength) UTF-8 bytes fit a decision")
        }
        return value
    }

    /// The first control character in `text` but those `allowed`: text from a request is refused
    /// when it holds one.
    static func firstControlCharacter(in text: String, allowing allowed: Set<Unicode.Scalar> = []) -> Unicode.Scalar? {
        text.unicodeScalars.first { $0.properties.generalCategory == .control && !allowed.contains($0) }
    }
}
