import ChorusCrypto
import ChorusWire
import Testing

@Suite struct Ed25519Tests {
    let scheme = Ed25519Scheme()
    let message = Array("heartbeat".utf8)

    @Test func signatureVerifiesUnderItsKey() throws {
        let keys = Ed25519KeyPair.generate()
        let signature = keys.sign(message)
        #expect(signature.count == SignatureSizes.signature)
        #expect(keys.publicKey.count == SignatureSizes.publicKey)
        #expect(keys.nodeID.bytes == keys.publicKey)
        #expect(scheme.verify(signature: signature, message: message, publicKey: keys.publicKey))
        #expect(scheme.verify(signature: keys.sign([]), message: [], publicKey: keys.publicKey))
    }

    @Test func flippedBitAnywhereFailsVerification() {
        let keys = Ed25519KeyPair.generate()
        let signature = keys.sign(message)
        #expect(!scheme.verify(signature: signature, message: flipped(message, bit: 3), publicKey: keys.publicKey))
        #expect(!scheme.verify(signature: flipped(signature, bit: 77), message: message, publicKey: keys.publicKey))
        #expect(!scheme.verify(signature: signature, message: message, publicKey: flipped(keys.publicKey, bit: 9)))
        #expect(!scheme.verify(signature: signature, message: message, publicKey: Ed25519KeyPair.generate().publicKey))
    }

    @Test func wrongLengthsFailWithoutCrashing() {
        let keys = Ed25519KeyPair.generate()
        let signature = keys.sign(message)
        #expect(!scheme.verify(signature: Array(signature.dropLast()), message: message, publicKey: keys.publicKey))
        #expect(!scheme.verify(signature: signature + [0], message: message, publicKey: keys.publicKey))
        #expect(!scheme.verify(signature: [], message: message, publicKey: keys.publicKey))
        #expect(!scheme.verify(signature: signature, message: message, publicKey: Array(keys.publicKey.dropLast())))
        #expect(!scheme.verify(signature: signature, message: message, publicKey: []))
    }

    @Test func seedKeyPairsAreDeterministic() throws {
        let seed = [UInt8](repeating: 7, count: Ed25519KeyPair.seedByteCount)
        let first = try Ed25519KeyPair(seed: seed)
        let second = try Ed25519KeyPair(seed: seed)
        #expect(first.publicKey == second.publicKey)
        #expect(first.secretKey == second.secretKey)
        #expect(first.sign(message) == second.sign(message))
        let other = try Ed25519KeyPair(seed: [UInt8](repeating: 8, count: Ed25519KeyPair.seedByteCount))
        #expect(other.publicKey != first.publicKey)
    }

    @Test func secretKeyRestoresTheSameKeyPair() throws {
        let keys = Ed25519KeyPair.generate()
        let restored = try Ed25519KeyPair(secretKey: keys.secretKey)
        #expect(restored.publicKey == keys.publicKey)
        #expect(restored.sign(message) == keys.sign(message))
    }

    @Test func malformedKeyMaterialIsRejected() {
        #expect(throws: Ed25519KeyError.wrongSeedLength(31)) { try Ed25519KeyPair(seed: [UInt8](repeating: 0, count: 31)) }
        #expect(throws: Ed25519KeyError.wrongSecretKeyLength(32)) { try Ed25519KeyPair(secretKey: [UInt8](repeating: 0, count: 32)) }
        var corrupt = Ed25519KeyPair.generate().secretKey
        corrupt[40] ^= 1
        #expect(throws: Ed25519KeyError.inconsistentSecretKey) { try Ed25519KeyPair(secretKey: corrupt) }
    }

    @Test func descriptionDoesNotLeakTheSecretKey() {
        let keys = Ed25519KeyPair.generate()
        let seedHex = Hex.encode(Array(keys.secretKey.prefix(Ed25519KeyPair.seedByteCount)))
        #expect(!keys.description.contains(seedHex))
        #expect(!String(describing: keys).contains(seedHex))
        #expect(keys.description.contains(Hex.encode(keys.publicKey)))
    }

    @Test func secureRandomBytesHaveTheRequestedLength() {
        #expect(SecureRandom.bytes(0).isEmpty)
        #expect(SecureRandom.bytes(32).count == 32)
        #expect(SecureRandom.bytes(32) != SecureRandom.bytes(32))
    }
}

func flipped(_ bytes: [UInt8], bit: Int) -> [UInt8] {
    var copy = bytes
    copy[bit / 8] ^= 1 << UInt8(bit % 8)
    return copy
}
