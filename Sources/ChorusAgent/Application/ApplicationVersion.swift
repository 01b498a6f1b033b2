import Foundation

/// Reads the running application's version (SPEC §13): `app_version` as given, the stdout of
/// `[app] version_command`, or the content of `[app] version_file`; either must be one X.Y.Z,
/// blanks around it ignored.
enum ApplicationVersion {
    /// A version file is a few bytes; a larger one is not a version file.
    static let maxFileBytes = 256

    static func read(_ source: ApplicationChecks.VersionSource, timeout: Duration,
                     guardExecutable: String = "/proc/self/exe") async throws(ApplicationCheckFailure) -> String {
        switch source {
        case .fixed(let version):
            return version
        case .file(let path):
            let bytes: [UInt8]?
            do {
                bytes = try DurableFile.read(path, atMost: maxFileBytes)
            } catch {
                throw ApplicationCheckFailure("[app] version_file \(path): \(error)")
            }
            guard let bytes else { throw ApplicationCheckFailure("[app] version_file \(path) does not exist") }
            return try parse(String(decoding: bytes, as: UTF8.self), from: "[app] version_file \(path)")
        case .command(let command):
            let outcome: GuardedCommand.Outcome
            do {
                outcome = try await GuardedCommand(command: command, timeout: timeout, keepsErrors: false,
                                                   guardExecutable: guardExecutable).run()
            } catch {
                throw ApplicationCheckFailure("[app] version_command cannot start: \(error)")
            }
            if let failure = outcome.failure(timeout: timeout) {
                throw ApplicationCheckFailure("[app] version_command failed: \(failure)")
            }
            return try parse(outcome.output, from: "[app] version_command")
        }
    }

    private static func parse(_ text: String, from origin: String) throws(ApplicationCheckFailure) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            return try SettingSyntax.version.parse(trimmed)
        } catch {
            throw ApplicationCheckFailure("\(origin) gave \(error.reason)")
        }
    }
}

/// Why a version could not be read or a health check failed, for the log and `/v1/health/lb`.
struct ApplicationCheckFailure: Error, CustomStringConvertible, Equatable {
    let description: String
    init(_ description: String) { self.description = description }
}
