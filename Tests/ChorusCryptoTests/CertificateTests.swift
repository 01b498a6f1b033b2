import ChorusCrypto
import ChorusWire
import Testing

@Suite struct CertificateTests {
    let scheme = Ed25519Scheme()
    let authority = Ed25519KeyPair.generate()
    let node = Ed25519KeyPair.generate()
    let now: UInt64 = 1_700_000_000

    func issue(expiresAt: UInt64? = nil) -> Certificate {
        Certificate.issue(name: "node-1", publicKey: node.publicKey, expiresAt: expiresAt ?? now + 3600, authority: authority)
    }

    @Test func issuedCertificateIsValidUntilExpiry() {
        let certificate = issue()
        #expect(certificate.isValid(authorityKey: authority.publicKey, unixSeconds: now, scheme: scheme))
        #expect(certificate.isValid(authorityKey: authority.publicKey, unixSeconds: now + 3599, scheme: scheme))
        #expect(!certificate.isValid(authorityKey: authority.publicKey, unixSeconds: now + 3600, scheme: scheme))
    }

    @Test func otherAuthorityDoesNotValidate() {
        let certificate = issue()
        let other = Ed25519KeyPair.generate()
        #expect(!certificate.isValid(authorityKey: other.publicKey, unixSeconds: now, scheme: scheme))
    }

    @Test func tamperedFieldsDoNotValidate() {
        var renamed = issue()
        renamed.name = "node-2"
        #expect(!renamed.isValid(authorityKey: authority.publicKey, unixSeconds: now, scheme: scheme))
        var rekeyed = issue()
        rekeyed.publicKey = Ed25519KeyPair.generate().publicKey
        #expect(!rekeyed.isValid(authorityKey: authority.publicKey, unixSeconds: now, scheme: scheme))
        var extended = issue()
        extended.expiresAt += 1
        #expect(!extended.isValid(authorityKey: authority.publicKey, unixSeconds: now, scheme: scheme))
    }

    @Test func certificateSurvivesEncoding() throws {
        let certificate = issue()
        let decoded = try Certificate.decode(certificate.encoded)
        #expect(decoded == certificate)
        #expect(decoded.isValid(authorityKey: authority.publicKey, unixSeconds: now, scheme: scheme))
    }
}
