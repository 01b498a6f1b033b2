"""The insider's datagrams (tools/chorustools/wire) against a vector the agent's own code builds
(Tests/ChorusCryptoTests/InsiderVectorTests.swift): same key files, same bytes."""

import hashlib
import struct
import unittest

from chorustools.wire import capture, keys, sealed, sodium, spoof, wire

NODE_KEY_FILE = ("chorus-node-secret-v1:BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwfqSmxj4pxSCr71UHsTLsX5lUd2rr6+e5JCHuppFEbSLA==\n")
AUTHORITY_PUBLIC_FILE = "chorus-authority-public-v1:/RckOFqgx1tk+3jNYC+h2ZH96/drE8WO1wLqyDXp9hg=\n"
DATAGRAM_HEX = (
    "434852530100fd1724385aa0c75bea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c06008a01ea4a6c63"
    "e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c0027ffffffffffffffff0000000000000003040ad507021e28"
    "05312e322e300200000000000000000529dbef95e4be90b2860e97c8784a28056135fca596843b1a264ff080c49c96a76fbbe8a53bbf"
    "5b2516f6faa604572eb74eb3cf0e1ba844988bc39b70255f550e06008b03ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92"
    "421eea691446d22c0028abababababababababababababababababababababababababababababababab4000000000000001aab7ea7b"
    "d20b347fa35d84dbd35ebea32c61d6781e3306a3bb91c1b70f7be4e6caba9d22cf260192c4a69b532535d272962b2ab378aba822f91b"
    "8742312bfc0731da13e0d57b122b32d4f116a933aea26027a0388f83129bc41c140424ea10b1597107c1f8be32eee39b641533d8565f"
    "7260fd100f786b868ae4fa086519a502")


class InsiderVectorTests(unittest.TestCase):
    def test_key_files_read_like_the_agent_writes_them(self):
        secret = keys.node_secret(NODE_KEY_FILE)
        self.assertEqual(secret, sodium.keypair_from_seed(bytes([7]) * 32)[1])
        self.assertEqual(keys.encode(secret, keys.NODE_SECRET), NODE_KEY_FILE)
        authority = keys.authority_public("  " + AUTHORITY_PUBLIC_FILE + "\n")
        self.assertEqual(authority, sodium.keypair_from_seed(bytes([9]) * 32)[0])
        self.assertEqual(keys.cluster_id(authority), authority[:8])

    def test_key_files_refuse_what_the_agent_refuses(self):
        with self.assertRaises(keys.KeyFileError):
            keys.node_secret(AUTHORITY_PUBLIC_FILE)  # wrong prefix
        secret = bytearray(keys.node_secret(NODE_KEY_FILE))
        secret[40] ^= 1  # the public half no longer matches the seed
        with self.assertRaises(keys.KeyFileError):
            keys.node_secret(keys.encode(bytes(secret), keys.NODE_SECRET))
        with self.assertRaises(keys.KeyFileError):
            keys.authority_public(keys.AUTHORITY_PUBLIC + "AAAA")  # 3 bytes, not 32

    def test_the_insider_signs_the_bytes_the_agent_signs(self):
        secret = keys.node_secret(NODE_KEY_FILE)
        cluster = keys.cluster_id(keys.authority_public(AUTHORITY_PUBLIC_FILE))
        beat = wire.Statement.sign(wire.HEARTBEAT, wire.heartbeat_body(2**64 - 1, 3, "10.213.7.2", 7720, "1.2.0",
                                                                       protocol=2, serving=0, decisions=5),
                                   cluster, secret)
        verdict = wire.Statement.sign(wire.DEAD, wire.accusation_body(bytes([0xAB]) * 32, 2**62 + 1), cluster, secret)
        datagram = wire.signed_datagram(cluster, secret, [beat.record, verdict.record])
        self.assertEqual(datagram.hex(), DATAGRAM_HEX)

    def test_the_vector_decodes_and_verifies(self):
        payload = bytes.fromhex(DATAGRAM_HEX)
        cluster = keys.cluster_id(keys.authority_public(AUTHORITY_PUBLIC_FILE))
        datagram = wire.decode(payload, ("10.0.0.1", 7720), ("10.0.0.2", 7720))
        self.assertIsNotNone(datagram)
        self.assertEqual(datagram.cluster_id, cluster)
        self.assertTrue(wire.verify_datagram(payload))
        beat, verdict = datagram.statements()
        self.assertTrue(beat.verify(cluster) and verdict.verify(cluster))
        self.assertEqual((beat.kind, beat.heartbeat_incarnation()), (wire.HEARTBEAT, 2**64 - 1))
        self.assertEqual((verdict.kind, verdict.heartbeat_incarnation()), (wire.DEAD, 2**62 + 1))
        self.assertFalse(verdict.verify(bytes(8)), "the cluster id is part of what a statement signs")
        tampered = bytearray(payload)
        tampered[60] ^= 1
        self.assertFalse(wire.verify_datagram(bytes(tampered)))

    def test_decoding_never_trusts_lengths(self):
        payload = bytes.fromhex(DATAGRAM_HEX)
        self.assertIsNone(wire.decode(payload[:100], ("a", 1), ("b", 2)))
        cut = bytearray(payload)
        struct.pack_into(">H", cut, wire.HEADER_SIZE + 1, 2000)  # first record claims more than there is
        self.assertIsNone(wire.decode(bytes(cut), ("a", 1), ("b", 2)))
        self.assertIsNone(wire.Statement.decode(b"\x01" * 40))


class PacketTests(unittest.TestCase):
    def test_a_spoofed_packet_reads_back_as_sent(self):
        packet = spoof.ip_udp_packet(("10.213.1.3", 47077), ("10.213.1.2", 7720), b"CHRS-payload")
        frame = bytes(14) + packet  # what AF_PACKET hands over: an Ethernet header, then the IP packet
        self.assertEqual(capture.udp_packet(frame), (("10.213.1.3", 47077), ("10.213.1.2", 7720), b"CHRS-payload"))
        self.assertIsNone(capture.udp_packet(bytes(14) + b"\x60" + packet[1:]))  # IPv6: not ours

    def test_flood_templates_have_the_shape_the_agent_rejects_cheaply_or_expensively(self):
        cluster, member = bytes(range(8)), bytes([5]) * 32
        payload, vary = wire.flood_template("bad-signature", cluster, member)
        datagram = wire.decode(payload, ("a", 1), ("b", 2))
        self.assertEqual((datagram.cluster_id, datagram.sender), (cluster, member))
        self.assertEqual(vary, len(payload) - 64)
        self.assertFalse(wire.verify_datagram(payload))
        payload, vary = wire.flood_template("garbage-certificates", cluster, member)
        self.assertEqual(len(wire.decode(payload, ("a", 1), ("b", 2)).values(wire.CERTIFICATE)), 8)
        self.assertLess(vary + 8, len(payload))
        self.assertEqual(spoof.parse_flood_output("sent 120 seconds 3.004 errors 1\n"), (120, 3.004, 1))


class SealedFrameTests(unittest.TestCase):
    KEY = bytes(range(32))

    def test_a_sealed_frame_opens_with_its_key_only(self):
        frame = sealed.seal(b"signed datagram", self.KEY)
        self.assertEqual(len(frame), len(b"signed datagram") + sealed.OVERHEAD)
        self.assertEqual(frame[:12], b"CHRE" + sealed.key_id(self.KEY))
        self.assertEqual(sealed.open_frame(frame, self.KEY), b"signed datagram")
        self.assertIsNone(sealed.open_frame(frame, bytes(32)))  # another key: another id
        for index in (5, 20, len(frame) - 1):  # the key id (additional data), the nonce, the tag
            altered = bytearray(frame)
            altered[index] ^= 1
            self.assertIsNone(sealed.open_frame(bytes(altered), self.KEY))

    def test_the_key_id_is_the_agents_blake2b_of_16_bytes_cut_to_8(self):
        expected = hashlib.blake2b(b"chorus gossip key id" + self.KEY, digest_size=16).digest()[:8]
        self.assertEqual(sealed.key_id(self.KEY), expected)
        self.assertEqual(sealed.parse_key(sealed.keyring_line(self.KEY)), self.KEY)

    def test_sealed_flood_templates_name_the_right_or_a_wrong_key(self):
        own = sealed.key_id(self.KEY)
        frame, vary = sealed.flood_template("sealed-bad-tag", own, 1400)
        self.assertEqual((len(frame), sealed.frame_key_id(frame), vary), (1400, own, 12))
        self.assertIsNone(sealed.open_frame(frame, self.KEY))
        frame, _ = sealed.flood_template("sealed-wrong-key", own, 200)
        self.assertNotEqual(sealed.frame_key_id(frame), own)
        self.assertEqual(len(frame), 200)


if __name__ == "__main__":
    unittest.main()
