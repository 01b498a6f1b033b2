import ChorusCrypto
import ChorusWire
import Foundation
import Testing

@Suite struct KeyFileFormatTests {
    let keys = Ed25519KeyPair.generate()

    @Test func everyFormatRoundTrips() throws {
        let authoritySecret = KeyFileFormat.encodeAuthoritySecret(keys)
        #expect(authoritySecret.hasPrefix("chorus-authority-secret-v1:") && authoritySecret.hasSuffix("\n"))
        #expect(try KeyFileFormat.decodeAuthoritySecret(authoritySecret).secretKey == keys.secretKey)

        let authorityPublic = KeyFileFormat.encodeAuthorityPublic(keys.publicKey)
        #expect(authorityPublic.hasPrefix("chorus-authority-public-v1:"))
        #expect(try KeyFileFormat.decodeAuthorityPublic(authorityPublic) == keys.publicKey)

        let nodeSecret = KeyFileFormat.encodeNodeSecret(keys)
        #expect(nodeSecret.hasPrefix("chorus-node-secret-v1:"))
        #expect(try KeyFileFormat.decodeNodeSecret(nodeSecret).publicKey == keys.publicKey)

        let certificate = Certificate.issue(name: "n", publicKey: keys.publicKey, expiresAt: 99, authority: keys)
        let certificateText = KeyFileFormat.encodeCertificate(certificate)
        #expect(certificateText.hasPrefix("chorus-certificate-v1:"))
        #expect(try KeyFileFormat.decodeCertificate(certificateText) == certificate)
    }

    @Test func surroundingWhitespaceIsTolerated() throws {
        let text = "  \n" + KeyFileFormat.encodeAuthorityPublic(keys.publicKey) + "\r\n\n"
        #expect(try KeyFileFormat.decodeAuthorityPublic(text) == keys.publicKey)
    }

    @Test func wrongPrefixIsRejectedAndNamesTheOtherKind() {
        let text = KeyFileFormat.encodeNodeSecret(keys)
        let error = #expect(throws: KeyFileError.self) { try KeyFileFormat.decodeAuthoritySecret(text) }
        #expect(error?.problem == .wrongPrefix(looksLike: .nodeSecret))
        #expect(error?.description.contains("authority secret key") == true)
        #expect(error?.description.contains("node secret key") == true)
        #expect(throws: KeyFileError(kind: .certificate, problem: .wrongPrefix(looksLike: nil))) {
            try KeyFileFormat.decodeCertificate("hello")
        }
    }

    @Test func badBase64IsRejected() {
        #expect(throws: KeyFileError(kind: .authorityPublic, problem: .badBase64)) {
            try KeyFileFormat.decodeAuthorityPublic("chorus-authority-public-v1:not*base64!")
        }
        #expect(throws: KeyFileError(kind: .nodeSecret, problem: .badBase64)) {
            try KeyFileFormat.decodeNodeSecret("chorus-node-secret-v1:AAAA AAAA")
        }
    }

    @Test func wrongLengthIsRejected() {
        let short = "chorus-authority-public-v1:" + Data(keys.publicKey.dropLast()).base64EncodedString()
        #expect(throws: KeyFileError(kind: .authorityPublic, problem: .wrongLength(expected: 32, actual: 31))) {
            try KeyFileFormat.decodeAuthorityPublic(short)
        }
        let publicAsSecret = "chorus-node-secret-v1:" + Data(keys.publicKey).base64EncodedString()
        #expect(throws: KeyFileError(kind: .nodeSecret, problem: .wrongLength(expected: 64, actual: 32))) {
            try KeyFileFormat.decodeNodeSecret(publicAsSecret)
        }
        let certificate = Certificate.issue(name: "n", publicKey: keys.publicKey, expiresAt: 99, authority: keys)
        let truncated = "chorus-certificate-v1:" + Data(certificate.encoded.dropLast()).base64EncodedString()
        let error = #expect(throws: KeyFileError.self) { try KeyFileFormat.decodeCertificate(truncated) }
        #expect(error?.problem == .invalidContent("it is truncated"))
    }

    @Test func loadingNamesThePath() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-\(UUID().uuidString).pub").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let missing = #expect(throws: KeyFileError.self) { try KeyFileFormat.loadAuthorityPublic(path: path) }
        #expect(missing?.description == "cannot read authority public key file \(path): No such file or directory")

        try Data("chorus-authority-public-v1:%%".utf8).write(to: URL(fileURLWithPath: path))
        let corrupt = #expect(throws: KeyFileError.self) { try KeyFileFormat.loadAuthorityPublic(path: path) }
        #expect(corrupt?.path == path)
        #expect(corrupt?.problem == .badBase64)

        try Data(KeyFileFormat.encodeAuthorityPublic(keys.publicKey).utf8).write(to: URL(fileURLWithPath: path))
        #expect(try KeyFileFormat.loadAuthorityPublic(path: path) == keys.publicKey)
    }
}
