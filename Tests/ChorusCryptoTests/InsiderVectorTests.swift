import ChorusCrypto
import ChorusWire
import Foundation
import Testing

/// The chaos harness's insider fault (tools/chorustools/wire, Python) signs heartbeats and
/// accusations with a member's node key and sends them in its own envelopes. This vector, built
/// with the agent's own code, is the one tools/chaoslib/tests/test_wire.py reproduces byte for
/// byte: if either side's encoding or signing drifts, one of the two tests fails.
@Suite struct InsiderVectorTests {
    static let nodeKeyFile =
        "chorus-node-secret-v1:BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwfqSmxj4pxSCr71UHsTLsX5lUd2rr6+e5JCHuppFEbSLA==\n"
    static let authorityPublicFile = "chorus-authority-public-v1:/RckOFqgx1tk+3jNYC+h2ZH96/drE8WO1wLqyDXp9hg=\n"
    /// A heartbeat at incarnation 2^64-1 and a "dead" verdict at 2^62+1, in one signed datagram.
    static let datagramHex =
        "434852530100fd1724385aa0c75bea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c06008a01ea4a6c63"
        + "e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c0027ffffffffffffffff0000000000000003040ad507021e28"
        + "05312e322e300200000000000000000529dbef95e4be90b2860e97c8784a28056135fca596843b1a264ff080c49c96a76fbbe8a53bbf"
        + "5b2516f6faa604572eb74eb3cf0e1ba844988bc39b70255f550e06008b03ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92"
        + "421eea691446d22c0028abababababababababababababababababababababababababababababababab4000000000000001aab7ea7b"
        + "d20b347fa35d84dbd35ebea32c61d6781e3306a3bb91c1b70f7be4e6caba9d22cf260192c4a69b532535d272962b2ab378aba822f91b"
        + "8742312bfc0731da13e0d57b122b32d4f116a933aea26027a0388f83129bc41c140424ea10b1597107c1f8be32eee39b641533d8565f"
        + "7260fd100f786b868ae4fa086519a502"

    @Test func theAgentBuildsTheVectorTheHarnessChecks() throws {
        let node = try Ed25519KeyPair(seed: [UInt8](repeating: 7, count: 32))
        let authority = try Ed25519KeyPair(seed: [UInt8](repeating: 9, count: 32))
        let clusterID = Array(authority.publicKey.prefix(8))
        let heartbeat = Heartbeat(
            incarnation: .max, sequence: 3, address: PeerAddress(ipv4: 10, 213, 7, 2, port: 7720), appVersion: "1.2.0",
            protocolVersion: 2, serving: 0, decisionsDigest: [0, 0, 0, 0, 0, 0, 0, 5])
        let beat = SignedStatement.sign(kind: .heartbeat, body: heartbeat.encoded, clusterID: clusterID, signer: node)
        let subject = NodeID(bytes: [UInt8](repeating: 0xAB, count: 32))!
        let verdict = SignedStatement.sign(
            kind: .dead, body: Accusation(subject: subject, incarnation: (1 << 62) + 1).encoded, clusterID: clusterID,
            signer: node)
        var builder = DatagramBuilder(clusterID: clusterID, sender: NodeID(bytes: node.publicKey)!, maxSize: Datagram.defaultMaxSize)
        #expect(builder.append(beat.record) && builder.append(verdict.record))

        #expect(KeyFileFormat.encodeNodeSecret(node) == Self.nodeKeyFile)
        #expect(KeyFileFormat.encodeAuthorityPublic(authority.publicKey) == Self.authorityPublicFile)
        #expect(Hex.encode(builder.finish(signer: node)) == Self.datagramHex)
    }
}
