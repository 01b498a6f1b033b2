"""Sealed frames (docs/wire-format.md, "Sealing"), byte for byte as
Sources/ChorusWire/Keyring/GossipCipher.swift (`SealedFrame`) and
Sources/ChorusCrypto/SodiumGossipCipher.swift write them:

    magic "CHRE" | key id 8 | nonce 24 | XChaCha20-Poly1305 of the signed datagram (+16 tag)

with the magic and key id as additional data. The bench seals and opens with the cluster key it
gave the agents; an outsider sees only the key id.
"""

import base64
import binascii
import os

from . import sodium

MAGIC = b"CHRE"
KEY_ID_SIZE = 8
HEADER_SIZE = len(MAGIC) + KEY_ID_SIZE
NONCE_SIZE = sodium.AEAD_NONCE_SIZE
TAG_SIZE = sodium.AEAD_TAG_SIZE
OVERHEAD = HEADER_SIZE + NONCE_SIZE + TAG_SIZE  # 52
KEY_SIZE = sodium.AEAD_KEY_SIZE
_KEY_ID_DOMAIN = b"chorus gossip key id"
_KEY_ID_HASH_SIZE = 16  # crypto_generichash_BYTES_MIN, of which the id is the first 8 bytes


def key_id(key: bytes) -> bytes:
    """The public name of a cluster key: BLAKE2b("chorus gossip key id" | key)[:8]."""
    if len(key) != KEY_SIZE:
        raise ValueError(f"a cluster key is {KEY_SIZE} bytes, not {len(key)}")
    return sodium.generichash(_KEY_ID_DOMAIN + key, _KEY_ID_HASH_SIZE)[:KEY_ID_SIZE]


def seal(datagram: bytes, key: bytes, nonce: bytes | None = None) -> bytes:
    header = MAGIC + key_id(key)
    nonce = nonce if nonce is not None else os.urandom(NONCE_SIZE)
    return header + nonce + sodium.aead_encrypt(datagram, header, nonce, key)


def frame_key_id(frame: bytes) -> bytes | None:
    """The key a frame names, or None when it is no sealed frame."""
    if len(frame) < OVERHEAD or not frame.startswith(MAGIC):
        return None
    return frame[len(MAGIC):HEADER_SIZE]


def open_frame(frame: bytes, key: bytes) -> bytes | None:
    """The signed datagram inside, or None (not sealed, another key, a changed bit)."""
    if frame_key_id(frame) != key_id(key):
        return None
    nonce = frame[HEADER_SIZE:HEADER_SIZE + NONCE_SIZE]
    return sodium.aead_decrypt(frame[HEADER_SIZE + NONCE_SIZE:], frame[:HEADER_SIZE], nonce, key)


def keyring_line(key: bytes) -> str:
    """A line of a `[gossip] keyring_file`: standard base64 of the 32 bytes (`chorus keyring generate`)."""
    return base64.b64encode(key).decode() + "\n"


def parse_key(text: str) -> bytes:
    """The 32 bytes of a base64 key line, as the agent reads its keyring file."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except binascii.Error as error:
        raise ValueError(f"not base64: {error}") from None
    if len(key) != KEY_SIZE:
        raise ValueError(f"a cluster key is {KEY_SIZE} bytes, not {len(key)}")
    return key


# -- forgeries ----------------------------------------------------------------------------------

FLOOD_KINDS = ("sealed-wrong-key", "sealed-bad-tag")


def flood_template(kind: str, cluster_key_id: bytes, size: int) -> tuple[bytes, int]:
    """(frame of `size` bytes, offset of the bytes varied per datagram: the nonce).

    sealed-wrong-key: the sealed magic and a key id no agent holds, then random bytes: refused
    as `badSeal` on the id alone, before any decryption.
    sealed-bad-tag: the cluster's own key id (every sealed frame shows it, so any host on the
    path learns it), then random nonce, ciphertext and tag: the agent runs one authenticated
    decryption (Poly1305 over the whole ciphertext) and refuses it as `badSeal`.
    """
    if size < OVERHEAD + 1:
        raise ValueError(f"a sealed frame is at least {OVERHEAD + 1} bytes")
    if kind == "sealed-wrong-key":
        wrong = bytes(b ^ 0xFF for b in cluster_key_id)
        return MAGIC + wrong + os.urandom(size - HEADER_SIZE), HEADER_SIZE
    if kind == "sealed-bad-tag":
        return MAGIC + cluster_key_id + os.urandom(size - HEADER_SIZE), HEADER_SIZE
    raise ValueError(f"unknown sealed flood kind {kind}")
