"""Ed25519 through the libsodium the agent links (ctypes): the harness signs as an insider
with a member's own key, and its tests check those signatures, with no extra Python package.

libsodium keeps a 64-byte secret key (32-byte seed, then the public key), the layout of a
node.key file (Sources/ChorusCrypto/Ed25519KeyPair.swift).
"""

import ctypes
import ctypes.util

PUBLIC_KEY_SIZE = 32
SECRET_KEY_SIZE = 64
SIGNATURE_SIZE = 64


class SodiumMissing(RuntimeError):
    """libsodium cannot be loaded (tools/ensure-deps installs it: the agent needs it too)."""


_library = None


def _sodium():
    global _library
    if _library is None:
        name = ctypes.util.find_library("sodium")
        for candidate in ([name] if name else []) + ["libsodium.so.23", "libsodium.so"]:
            try:
                library = ctypes.CDLL(candidate)
                break
            except OSError:
                continue
        else:
            raise SodiumMissing("libsodium not found (apt-get install libsodium23, or run tools/ensure-deps)")
        if library.sodium_init() < 0:
            raise SodiumMissing("sodium_init failed")
        _library = library
    return _library


def keypair_from_seed(seed: bytes) -> tuple[bytes, bytes]:
    """(public key, 64-byte secret key) determined by a 32-byte seed."""
    if len(seed) != 32:
        raise ValueError(f"an Ed25519 seed is 32 bytes, not {len(seed)}")
    public, secret = ctypes.create_string_buffer(PUBLIC_KEY_SIZE), ctypes.create_string_buffer(SECRET_KEY_SIZE)
    if _sodium().crypto_sign_seed_keypair(public, secret, seed) != 0:
        raise RuntimeError("crypto_sign_seed_keypair failed")
    return public.raw, secret.raw


def public_key(secret_key: bytes) -> bytes:
    """The public half of a 64-byte secret key, derived from its seed (not read from its tail),
    so a corrupted key file shows up as a mismatch."""
    if len(secret_key) != SECRET_KEY_SIZE:
        raise ValueError(f"an Ed25519 secret key is 64 bytes, not {len(secret_key)}")
    return keypair_from_seed(secret_key[:32])[0]


def sign(secret_key: bytes, message: bytes) -> bytes:
    """The 64-byte detached signature (deterministic: the same key and message, the same bytes)."""
    if len(secret_key) != SECRET_KEY_SIZE:
        raise ValueError(f"an Ed25519 secret key is 64 bytes, not {len(secret_key)}")
    signature = ctypes.create_string_buffer(SIGNATURE_SIZE)
    if _sodium().crypto_sign_detached(signature, None, message, ctypes.c_ulonglong(len(message)), secret_key) != 0:
        raise RuntimeError("crypto_sign_detached failed")
    return signature.raw


def verify(public: bytes, message: bytes, signature: bytes) -> bool:
    if len(public) != PUBLIC_KEY_SIZE or len(signature) != SIGNATURE_SIZE:
        return False
    return _sodium().crypto_sign_verify_detached(signature, message, ctypes.c_ulonglong(len(message)), public) == 0


# -- gossip sealing (Sources/ChorusCrypto/SodiumGossipCipher.swift) -----------------------------

AEAD_KEY_SIZE = 32
AEAD_NONCE_SIZE = 24
AEAD_TAG_SIZE = 16


def generichash(message: bytes, size: int) -> bytes:
    """Unkeyed BLAKE2b of `size` bytes, libsodium's crypto_generichash."""
    digest = ctypes.create_string_buffer(size)
    if _sodium().crypto_generichash(digest, ctypes.c_size_t(size), message, ctypes.c_ulonglong(len(message)),
                                    None, ctypes.c_size_t(0)) != 0:
        raise RuntimeError("crypto_generichash failed")
    return digest.raw


def aead_encrypt(message: bytes, additional: bytes, nonce: bytes, key: bytes) -> bytes:
    """XChaCha20-Poly1305 (IETF): the ciphertext followed by its 16-byte tag."""
    if len(nonce) != AEAD_NONCE_SIZE or len(key) != AEAD_KEY_SIZE:
        raise ValueError("XChaCha20-Poly1305 takes a 24-byte nonce and a 32-byte key")
    sealed = ctypes.create_string_buffer(len(message) + AEAD_TAG_SIZE)
    length = ctypes.c_ulonglong(0)
    _sodium().crypto_aead_xchacha20poly1305_ietf_encrypt(
        sealed, ctypes.byref(length), message, ctypes.c_ulonglong(len(message)), additional,
        ctypes.c_ulonglong(len(additional)), None, nonce, key)
    return sealed.raw[:length.value]


def aead_decrypt(sealed: bytes, additional: bytes, nonce: bytes, key: bytes) -> bytes | None:
    """The message, or None when the tag does not verify (wrong key, changed bytes)."""
    if len(sealed) < AEAD_TAG_SIZE or len(nonce) != AEAD_NONCE_SIZE or len(key) != AEAD_KEY_SIZE:
        return None
    message = ctypes.create_string_buffer(max(1, len(sealed) - AEAD_TAG_SIZE))
    length = ctypes.c_ulonglong(0)
    if _sodium().crypto_aead_xchacha20poly1305_ietf_decrypt(
            message, ctypes.byref(length), None, sealed, ctypes.c_ulonglong(len(sealed)), additional,
            ctypes.c_ulonglong(len(additional)), nonce, key) != 0:
        return None
    return message.raw[:length.value]
