import ArgumentParser
import ChorusAgent
import Foundation

/// `chorus banner set|clear|show` (SPEC §6, §9): a cluster-wide announcement, a quorum decision.
struct BannerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "banner",
        abstract: "Set, clear or show the cluster-wide announcement banner that every agent serves.",
        discussion: "Exit codes: 0 committed, 1 agent error, 2 agent unreachable, 3 refused by the cluster state, 4 no quorum.",
        subcommands: [SetBanner.self, Clear.self, Show.self])

    struct SetBanner: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Set the banner (replacing any other).")
        @Argument(help: "The text (at most 200 UTF-8 bytes).") var message: String
        @Option(help: "info or warning.") var level = "info"
        @Option(help: ArgumentHelp(
            "When every agent stops serving it: a duration from now (90s, 30m, 2h, 1d) or an ISO 8601 time.",
            valueName: "duration|time"))
        var expires: String?
        @OptionGroup var options: ClientOptions
        @OptionGroup var admin: AdminOptions

        func validate() throws {
            guard ["info", "warning"].contains(level) else { throw ValidationError("--level must be info or warning") }
            if let expires, BannerExpiry.parse(expires, now: Date()) == nil {
                throw ValidationError("--expires '\(expires)' is neither a duration (90s, 30m, 2h, 1d) nor an ISO 8601 time")
            }
        }

        func run() async throws {
            var body: [String: String] = ["message": message, "level": level]
            if let expires, let date = BannerExpiry.parse(expires, now: Date()) { body["expiresAt"] = date.formatted(.iso8601) }
            try await OperatorCommandRequest.run("PUT", "/v1/banner", json: try JSONSerialization.data(withJSONObject: body),
                                                 options: options, admin: admin)
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove the banner everywhere.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            try await OperatorCommandRequest.run("DELETE", "/v1/banner", options: options, admin: admin)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the banner this agent serves ('no banner', or null with --json, when none).",
            discussion: "Exit codes: 0 ok (a banner or none), 1 the agent answered with an error, 2 the agent is unreachable.")
        @OptionGroup var options: ClientOptions
        func run() async throws {
            let client = options.client()
            let (status, body) = try await client.get("/v1/banner")
            // No banner is an answer, not an error (issue 16: it exited 1).
            if status == 404, (try? JSONDecoder().decode(ErrorResponse.self, from: body))?.error == "no-banner" {
                print(options.json ? "null" : "no banner")
                return
            }
            guard status == 200 else { throw client.failure("/v1/banner", status: status, body: body) }
            let banner = try client.decode(BannerResponse.self, from: body, path: "/v1/banner")
            print(options.json ? String(decoding: body, as: UTF8.self)
                               : "[\(banner.level)] \(banner.message)" + (banner.expiresAt.map { " (until \($0))" } ?? ""))
        }
    }
}

/// `--expires`: a duration from now or an absolute ISO 8601 time.
enum BannerExpiry {
    static func parse(_ text: String, now: Date) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        guard let unit = text.last.flatMap({ units[$0] }), let amount = Double(text.dropLast()), amount > 0 else { return nil }
        return now.addingTimeInterval(amount * unit)
    }
}
