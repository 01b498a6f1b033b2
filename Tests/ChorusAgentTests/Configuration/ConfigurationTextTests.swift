import Foundation
import Glibc
import Testing

@testable import ChorusAgent

/// What operators pass as `--config` besides a regular file, read as the agent reads it.
@Suite struct ConfigurationTextTests {
    @Test func devNullIsAnEmptyConfiguration() throws {
        #expect(try ConfigurationText.read("/dev/null") == "")
    }

    /// A process substitution (`--config <(envsubst < chorus.toml.in)`) is a pipe with no size.
    @Test func aPipeIsReadToItsEnd() throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let text = "log_level = \"debug\"\n"
        _ = text.withCString { write(ends[1], $0, strlen($0)) }
        close(ends[1])
        #expect(try ConfigurationText.read("/dev/fd/\(ends[0])") == text)
    }

    @Test func aDirectoryOrAMissingFileSaysWhy() {
        #expect(throws: ConfigurationText.ReadError.self) { try ConfigurationText.read(NSTemporaryDirectory()) }
        do {
            _ = try ConfigurationText.read("/nonexistent/chorus.toml")
            Issue.record("a missing file was read")
        } catch {
            #expect(error.description == "No such file or directory")
        }
    }

    @Test func aHugeOrBinaryFileIsRefused() throws {
        let huge = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-huge-\(UUID().uuidString).toml")
        defer { try? FileManager.default.removeItem(at: huge) }
        try Data(repeating: UInt8(ascii: "#"), count: ConfigurationText.maximumBytes + 1).write(to: huge)
        #expect { try ConfigurationText.read(huge.path) } throws: { "\($0)" == "larger than 1 MiB" }
        // A file with no end: the limit holds while reading, not after.
        #expect { try ConfigurationText.read("/dev/zero") } throws: { "\($0)" == "larger than 1 MiB" }

        let binary = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-binary-\(UUID().uuidString).toml")
        defer { try? FileManager.default.removeItem(at: binary) }
        try Data([0x66, 0xff, 0xfe, 0x0a]).write(to: binary)
        #expect { try ConfigurationText.read(binary.path) } throws: { "\($0)" == "not UTF-8 text" }
    }
}
