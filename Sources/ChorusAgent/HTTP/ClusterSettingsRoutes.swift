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
