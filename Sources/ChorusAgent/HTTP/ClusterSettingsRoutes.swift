import ChorusCore
import ChorusWire
import Foundation
import Hummingbird
import NIOCore

/// Cluster-wide settings an operator changes by quorum decision (SPEC §6, §7): maintenance mode
/// and the announcement banner. Answers like the upgrade commands: 200, 409, 503.
enum ClusterSettingsRoutes {
    static func routes(source: some AgentStatusSource, authorization: AdminAuthorization) -> [HTTPRoute] {
        [
            HTTPRoute(.put, "/v1/maintenance") { request, _ in
                try await authorization.check(request)
                let body = try await RequestBody.decode(MaintenanceRequest.self, from: request) ?? MaintenanceRequest()
                let message = try RequestBody.text(body.message ?? "", field: "message")
                return try await ClusterRoutes.answer(.startMaintenance(message: message), source: source)
            },
            HTTPRoute(.delete, "/v1/maintenance") { request, _ in
                try await authorization.check(request)
                return try await ClusterRoutes.answer(.endMaintenance, source: source)
            },
            HTTPRoute(.get, "/v1/banner") { _, _ in
                guard let banner = await source.clusterSnapshot().banner else {
                    throw APIError(.notFound, error: "no-banner", reason: "no banner is set, or it has expired")
                }
                return try JSONResponse.make(BannerResponse(banner))
            },
            HTTPRoute(.put, "/v1/banner") { request, _ in
                try await authorization.check(request)
                guard let body = try await RequestBody.decode(BannerRequest.self, from: request) else {
                    throw APIError(.badRequest, error: "invalid-request", reason: "the body must be {\"message\", \"level\", \"expiresAt\"}")
                }
                return try await ClusterRoutes.answer(.setBanner(try body.banner(now: Date())), source: source)
            },
            HTTPRoute(.delete, "/v1/banner") { request, _ in
                try await authorization.check(request)
                return try await ClusterRoutes.answer(.clearBanner, source: source)
            },
        ]
    }
}

/// `PUT /v1/maintenance`; the body is optional.
struct MaintenanceRequest: Codable, Sendable {
    var message: String?
}

/// `PUT /v1/banner`: `level` is info (default) or warning; `expiresAt` is ISO 8601, omitted for no expiry.
struct BannerRequest: Codable, Sendable {
    var message: String
    var level: String?
    var expiresAt: String?

    func banner(now: Date) throws -> AnnouncementBanner {
        let text = try RequestBody.text(message, field: "message")
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError(.badRequest, error: "invalid-request", reason: "message must not be blank")
        }
        guard let level = AnnouncementBanner.Level(name: level ?? "info") else {
            throw APIError(.badRequest, error: "invalid-request", reason: "level must be info or warning")
        }
        var expiry: UInt64?
        if let expiresAt {
            guard let date = try? Date(expiresAt, strategy: .iso8601) else {
                throw APIError(.badRequest, error: "invalid-request", reason: "expiresAt must be ISO 8601, e.g. 2026-11-21T18:00:00Z")
            }
            guard date > now else {
                throw APIError(.badRequest, error: "invalid-request", reason: "expiresAt \(expiresAt) is already past")
            }
            expiry = UInt64(date.timeIntervalSince1970.rounded(.up))
        }
        return AnnouncementBanner(message: text, level: level, expiresAt: expiry)
    }
}

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
        if let control = value.unicodeScalars.first(where: { $0.properties.generalCategory == .control && $0 != "\t" && $0 != "\n" }) {
            throw APIError(.badRequest, error: "invalid-request",
                           reason: "\(field) holds the control character U+\(String(format: "%04X", control.value)); only tabs and newlines are allowed")
        }
        guard value.utf8.count <= DecisionValue.maxTextLength else {
            throw APIError(.badRequest, error: "invalid-request",
                           reason: "\(field) is \(value.utf8.count) bytes; at most \(DecisionValue.maxTextLength) UTF-8 bytes fit a decision")
        }
        return value
    }
}
