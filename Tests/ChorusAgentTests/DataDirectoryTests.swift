import ChorusAgent
import Foundation
import Testing

@Suite struct DataDirectoryTests {
    /// A fresh directory per test, removed when the test's value is discarded.
    final class TemporaryDirectory {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-tests-\(UUID().uuidString)").path
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    let temporary = TemporaryDirectory()
    var directory: DataDirectory { DataDirectory(path: temporary.path + "/data") }

    func mode(of path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func prepareCreatesAPrivateDirectory() throws {
        try directory.prepare()
        try directory.prepare()
        #expect(try mode(of: directory.path) == 0o700)
    }

    @Test func nodeKeyIsCreatedOnceThenReloaded() throws {
        try directory.prepare()
        #expect(try directory.loadNodeKey() == nil)
        let created = try directory.loadOrCreateNodeKey()
        let reloaded = try directory.loadOrCreateNodeKey()
        #expect(reloaded.publicKey == created.publicKey)
        #expect(reloaded.secretKey == created.secretKey)
        #expect(try mode(of: directory.nodeKeyPath) == 0o600)
        let text = try String(contentsOfFile: directory.nodeKeyPath, encoding: .utf8)
        #expect(text.hasPrefix("chorus-node-secret-v1:"))
    }

    @Test func looseModeIsRejected() throws {
        try directory.prepare()
        _ = try directory.loadOrCreateNodeKey()
        _ = try directory.loadOrCreateAdminToken()
        for path in [directory.nodeKeyPath, directory.adminTokenPath] {
            #expect(chmod(path, 0o644) == 0)
            #expect(throws: DataDirectoryError.insecurePermissions(path: path, mode: 0o644)) {
                if path == directory.nodeKeyPath { _ = try directory.loadOrCreateNodeKey() } else { _ = try directory.loadOrCreateAdminToken() }
            }
        }
    }

    @Test func adminTokenIsCreatedOnceThenReloaded() throws {
        try directory.prepare()
        let token = try directory.loadOrCreateAdminToken()
        #expect(token.count == 64)
        #expect(token.allSatisfy { $0.isHexDigit })
        #expect(try directory.loadOrCreateAdminToken() == token)
        #expect(try mode(of: directory.adminTokenPath) == 0o600)
    }

    @Test func incarnationIsStoredAndReloaded() throws {
        try directory.prepare()
        #expect(try directory.loadIncarnation() == 0)
        try directory.storeIncarnation(41)
        try directory.storeIncarnation(42)
        #expect(try directory.loadIncarnation() == 42)
        try DurableFile.write(Array("forty-two".utf8), to: directory.incarnationPath, mode: 0o600)
        #expect(throws: DataDirectoryError.self) { try directory.loadIncarnation() }
    }

    @Test func drainIsStoredAndReloaded() throws {
        try directory.prepare()
        #expect(try directory.loadDraining() == false)
        try directory.storeDraining(true)
        #expect(try directory.loadDraining() == true)
        try directory.storeDraining(false)
        #expect(try directory.loadDraining() == false)
        try DurableFile.write(Array("maybe".utf8), to: directory.servingPath, mode: 0o600)
        #expect(throws: DataDirectoryError.self) { try directory.loadDraining() }
    }

    @Test func durableWriteReplacesContentsAndMode() throws {
        try directory.prepare()
        let path = directory.path + "/state"
        #expect(try DurableFile.read(path) == nil)
        try DurableFile.write(Array("first, longer contents".utf8), to: path, mode: 0o644)
        try DurableFile.write(Array("second".utf8), to: path, mode: 0o600)
        #expect(try DurableFile.read(path) == Array("second".utf8))
        #expect(try mode(of: path) == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    /// A kill -9 between creating a write's temporary and renaming it leaves the temporary behind;
    /// the next start removes it, and nothing else.
    @Test func prepareRemovesTemporariesAKilledWriteLeft() throws {
        try directory.prepare()
        try DurableFile.write(Array("decided".utf8), to: directory.path + "/decisions", mode: 0o600)
        let stale = [".decisions.tmp-4242-3735928559", ".node.key.tmp-1-2", ".a.tmp-b.tmp-77-0"]
        let kept = ["decisions", "notes.tmp-1-2", ".tmp-1-2", ".decisions.tmp-12", ".decisions.tmp-1-x", ".decisions.tmp-1-2.bak"]
        for name in stale + kept.dropFirst() {
            #expect(FileManager.default.createFile(atPath: directory.path + "/" + name, contents: Data("partial".utf8)))
        }
        try directory.prepare()
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(Set(left) == Set(kept))
        #expect(try DurableFile.read(directory.path + "/decisions") == Array("decided".utf8))
    }

    @Test func durableWriteReportsThePathAndReason() {
        let path = temporary.path + "/missing/dir/file"
        let error = #expect(throws: DurableFileError.self) { try DurableFile.write([1], to: path, mode: 0o600) }
        #expect(error?.errorNumber == ENOENT)
        #expect(error?.description.contains("No such file or directory") == true)
    }

    @Test func largeFilesRoundTrip() throws {
        try directory.prepare()
        let path = directory.path + "/large"
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 31) }
        try DurableFile.write(bytes, to: path, mode: 0o600)
        #expect(try DurableFile.read(path) == bytes)
    }
}
