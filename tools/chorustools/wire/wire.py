"""The datagram envelope, its records and origin-signed statements (docs/wire-format.md), read
and written byte for byte as Sources/ChorusWire does. All integers are big-endian.

Reading never checks a signature (an eavesdropper cannot, and a replay does not need to);
writing signs with a key the caller holds (`sodium`), as an insider member would.
"""

import ipaddress
import os
import struct
import time
from dataclasses import dataclass

from . import sodium

MAGIC = b"CHRS"
ENVELOPE_VERSION = 1  # what this build of the agent writes
HEADER_SIZE = 46  # magic 4, version 1, flags 1, cluster id 8, sender id 32
SIGNATURE_SIZE = 64
MAX_DATAGRAM = 1400

# Record types ("Records").
CERTIFICATE = 1
PING = 2
ACK = 3
PING_REQUEST = 4
NACK = 5
STATEMENT = 6
JOIN_REQUEST = 7
DIGEST = 8
VOTES = 14
RECORD_NAMES = {1: "certificate", 2: "ping", 3: "ack", 4: "ping-request", 5: "nack", 6: "statement",
                7: "join-request", 8: "digest", 9: "prepare", 10: "promise", 11: "accept", 12: "refuse",
                13: "catch-up", 14: "votes", 15: "certificate-request", 16: "keyring-grant",
                17: "exchange"}

# Statement kinds ("Statements").
HEARTBEAT = 1
SUSPECT = 2
DEAD = 3
STATEMENT_DOMAIN = b"chorus-statement-v1"

SERVING, DRAINING, LEAVING = 0, 1, 2
AGENT_PROTOCOL = 2  # MembershipNode.protocolVersion


@dataclass(frozen=True)
class Datagram:
    """One Chorus datagram as it crossed an interface, with its UDP addresses."""

    source: tuple[str, int]
    destination: tuple[str, int]
    payload: bytes  # the UDP payload: the whole signed envelope
    cluster_id: bytes
    sender: bytes
    records: tuple[tuple[int, bytes], ...]  # (type, value) in order

    def record_types(self) -> set[int]:
        return {record_type for record_type, _ in self.records}

    def values(self, record_type: int) -> list[bytes]:
        return [value for kind, value in self.records if kind == record_type]

    def statements(self) -> list["Statement"]:
        found = []
        for value in self.values(STATEMENT):
            statement = Statement.decode(value)
            if statement:
                found.append(statement)
        return found


def decode(payload: bytes, source: tuple[str, int], destination: tuple[str, int]) -> Datagram | None:
    """The envelope and its records, or None when `payload` is not a well-formed Chorus datagram.
    The signature is not checked."""
    if len(payload) < HEADER_SIZE + SIGNATURE_SIZE or payload[:4] != MAGIC:
        return None
    records = []
    offset, end = HEADER_SIZE, len(payload) - SIGNATURE_SIZE
    while offset < end:
        if offset + 3 > end:
            return None
        record_type, length = struct.unpack_from(">BH", payload, offset)
        offset += 3
        if offset + length > end:
            return None
        records.append((record_type, payload[offset:offset + length]))
        offset += length
    return Datagram(source, destination, payload, payload[6:14], payload[14:46], tuple(records))


def probe_sequence(value: bytes) -> int:
    """The probe sequence u32 that opens ping, ack, ping-request and nack records."""
    return struct.unpack_from(">I", value)[0]


def ping_target(value: bytes) -> bytes:
    return value[4:36]


def digest_wants_reply(value: bytes) -> bool:
    return bool(value and value[0] & 1)


# -- writing ------------------------------------------------------------------------------------


def header(cluster_id: bytes, sender: bytes, version: int = ENVELOPE_VERSION) -> bytes:
    return MAGIC + bytes([version, 0]) + cluster_id + sender


def record(record_type: int, value: bytes) -> bytes:
    return struct.pack(">BH", record_type, len(value)) + value


def short_string(text: str) -> bytes:
    data = text.encode()[:255]
    return bytes([len(data)]) + data


def address(host: str, port: int) -> bytes:
    """`length u8 (4 or 16) | IP bytes | port u16`."""
    ip = ipaddress.ip_address(host).packed
    return bytes([len(ip)]) + ip + struct.pack(">H", port)


def heartbeat_body(incarnation: int, sequence: int, host: str, port: int, app_version: str,
                   protocol: int = AGENT_PROTOCOL, serving: int = SERVING, decisions: int = 0) -> bytes:
    """incarnation u64, sequence u64, address, application version, protocol u8, serving u8,
    decisions digest (the number of decided slots, u64)."""
    return (struct.pack(">QQ", incarnation, sequence) + address(host, port) + short_string(app_version)
            + bytes([protocol, serving]) + struct.pack(">Q", decisions))


def accusation_body(subject: bytes, incarnation: int) -> bytes:
    return subject + struct.pack(">Q", incarnation)


@dataclass(frozen=True)
class Statement:
    kind: int
    origin: bytes
    body: bytes
    signature: bytes

    @staticmethod
    def signed_bytes(cluster_id: bytes, kind: int, origin: bytes, body: bytes) -> bytes:
        """What the origin signs: `"chorus-statement-v1" | cluster id | kind | origin | body`."""
        return STATEMENT_DOMAIN + cluster_id + bytes([kind]) + origin + body

    @classmethod
    def sign(cls, kind: int, body: bytes, cluster_id: bytes, secret_key: bytes) -> "Statement":
        origin = sodium.public_key(secret_key)
        return cls(kind, origin, body, sodium.sign(secret_key, cls.signed_bytes(cluster_id, kind, origin, body)))

    def verify(self, cluster_id: bytes) -> bool:
        return sodium.verify(self.origin, self.signed_bytes(cluster_id, self.kind, self.origin, self.body),
                             self.signature)

    @property
    def record(self) -> bytes:
        """`kind u8 | origin 32 | body length u16 | body | signature 64` in a statement record."""
        return record(STATEMENT, bytes([self.kind]) + self.origin + struct.pack(">H", len(self.body))
                      + self.body + self.signature)

    @classmethod
    def decode(cls, value: bytes) -> "Statement | None":
        if len(value) < 35:
            return None
        length = struct.unpack_from(">H", value, 33)[0]
        if len(value) < 35 + length + SIGNATURE_SIZE:
            return None
        return cls(value[0], value[1:33], value[35:35 + length], value[35 + length:35 + length + SIGNATURE_SIZE])

    def heartbeat_incarnation(self) -> int | None:
        """The incarnation a heartbeat or an accusation names."""
        if self.kind == HEARTBEAT and len(self.body) >= 8:
            return struct.unpack_from(">Q", self.body)[0]
        if self.kind in (SUSPECT, DEAD) and len(self.body) >= 40:
            return struct.unpack_from(">Q", self.body, 32)[0]
        return None


def signed_datagram(cluster_id: bytes, secret_key: bytes, records: list[bytes]) -> bytes:
    """An envelope from the key's owner carrying `records`, signed over every preceding byte."""
    body = header(cluster_id, sodium.public_key(secret_key)) + b"".join(records)
    if len(body) + SIGNATURE_SIZE > MAX_DATAGRAM:
        raise ValueError(f"{len(body) + SIGNATURE_SIZE} bytes is more than one datagram ({MAX_DATAGRAM})")
    return body + sodium.sign(secret_key, body)


def verify_datagram(payload: bytes) -> bool:
    """Whether the sender's signature covers the datagram (the sender id is its key)."""
    return len(payload) >= HEADER_SIZE + SIGNATURE_SIZE and sodium.verify(
        payload[14:46], payload[:-SIGNATURE_SIZE], payload[-SIGNATURE_SIZE:])


# -- forgeries ----------------------------------------------------------------------------------

FLOOD_KINDS = ("bad-signature", "garbage-certificates", "wrong-cluster")
_GARBAGE_CERTIFICATES = 8


def garbage_signature() -> bytes:
    """64 random bytes that pass libsodium's cheap checks, so verifying them costs the full
    price: S (the second half, little-endian) below 2^252 and so below the group order, as
    15 in 16 random values are not (those are refused before any curve arithmetic)."""
    signature = bytearray(os.urandom(64))
    signature[63] &= 0x0F
    return bytes(signature)


def flood_template(kind: str, cluster_id: bytes, member_id: bytes) -> tuple[bytes, int]:
    """(datagram, offset of the bytes varied per datagram).

    bad-signature: a live member's id, an ack record and 64 random bytes of signature, so the
    receiver knows the certificate and must run a signature check; the signature varies.
    garbage-certificates: an unknown sender and 8 certificate records with well-formed fields
    and random authority signatures, so each costs the receiver a check; the first
    certificate's signature varies.
    wrong-cluster: the bad-signature datagram under another cluster id, rejected before any
    cryptography: the control that shows what the flood costs by its rate alone.
    """
    if kind == "wrong-cluster":
        return flood_template("bad-signature", bytes(b ^ 0xFF for b in cluster_id), member_id)
    if kind == "bad-signature":
        body = header(cluster_id, member_id) + record(ACK, struct.pack(">I", 1))
        return body + garbage_signature(), len(body)
    if kind != "garbage-certificates":
        raise ValueError(f"unknown flood kind {kind}")
    expires = int(time.time()) + 365 * 86400
    records, first_signature = b"", None
    for index in range(_GARBAGE_CERTIFICATES):
        name = f"intruder{index}".encode()
        value = bytes([len(name)]) + name + os.urandom(32) + struct.pack(">Q", expires)
        if first_signature is None:
            first_signature = HEADER_SIZE + len(records) + 3 + len(value)
        records += record(CERTIFICATE, value + garbage_signature())
    return header(cluster_id, os.urandom(32)) + records + garbage_signature(), first_signature
