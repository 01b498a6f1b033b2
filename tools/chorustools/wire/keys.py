"""The one-line key files an agent keeps (Sources/ChorusCrypto/KeyFileFormat.swift):
`<prefix><base64>\\n`, surrounding whitespace tolerated, anything else refused."""

import base64
import binascii

from . import sodium

NODE_SECRET = "chorus-node-secret-v1:"
AUTHORITY_PUBLIC = "chorus-authority-public-v1:"
CERTIFICATE = "chorus-certificate-v1:"


class KeyFileError(ValueError):
    pass


def decode(text: str, prefix: str, length: int | None = None) -> bytes:
    line = text.strip()
    if not line.startswith(prefix):
        raise KeyFileError(f"expected a line starting {prefix!r}")
    try:
        data = base64.b64decode(line[len(prefix):], validate=True)
    except binascii.Error as error:
        raise KeyFileError(f"bad base64 after {prefix!r}: {error}") from None
    if length is not None and len(data) != length:
        raise KeyFileError(f"{prefix!r} holds {len(data)} bytes, not {length}")
    return data


def encode(data: bytes, prefix: str) -> str:
    return prefix + base64.b64encode(data).decode() + "\n"


def node_secret(text: str) -> bytes:
    """The 64-byte secret key of a node.key file, checked as the agent checks it: its public
    half must be the one its seed derives."""
    secret = decode(text, NODE_SECRET, sodium.SECRET_KEY_SIZE)
    if sodium.public_key(secret) != secret[32:]:
        raise KeyFileError("the node key's public half does not match its seed")
    return secret


def load_node_secret(path: str) -> bytes:
    with open(path) as f:
        return node_secret(f.read())


def authority_public(text: str) -> bytes:
    return decode(text, AUTHORITY_PUBLIC, sodium.PUBLIC_KEY_SIZE)


def cluster_id(authority_public_key: bytes) -> bytes:
    """The envelope's cluster id: the first 8 bytes of the authority's public key."""
    return authority_public_key[:8]


def load_cluster_id(authority_pub_path: str) -> bytes:
    with open(authority_pub_path) as f:
        return cluster_id(authority_public(f.read()))
