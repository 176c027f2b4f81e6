"""Encryption at rest for conduct reports: a key per item, wrapped for each reader.

Who can read a report, and with what:
- each item (a report's text, a message, an attachment) is sealed with its own random 256-bit
  key (ChaCha20-Poly1305, a random 96-bit nonce: a key seals one item, so nonces never repeat);
- that key is wrapped for each recipient's X25519 public key, as libsodium's sealed box does: a
  fresh ephemeral key pair, the Diffie-Hellman secret through HKDF-SHA256 bound to both public
  keys, then the AEAD. Only the recipient's private key unwraps it;
- a recipient's private key is stored sealed twice: under a key derived from their password
  (Argon2id, parameters kept beside it so they can be raised later) and under a recovery key of
  256 random bits printed once at enrolment. Neither secret is stored;
- the reporter reads their own report, and the replies, with their receipt code: it derives a
  key pair of theirs (HKDF; the code has 100 random bits), whose public key is stored with the
  report and every item key is wrapped for too. The stored lookup hash is another derivation:
  it opens nothing.

The server holds no key that opens a report: a copy of the database and the server's secret key
together reveal nothing but the routing metadata. Every sealed value carries "associated data"
naming what it belongs to (a report id, a recipient id), so a ciphertext moved to another row
fails to open instead of being read as that row's.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from streetlight.errors import ConductError

KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16
RECOVERY_GROUP = 4
_WRAP_INFO = b"streetlight conduct: item key for a recipient"
_RECEIPT_INFO = b"streetlight conduct: the reporter's key pair"
_RECOVERY_INFO = b"streetlight conduct: private key under the recovery key"
# Crockford's base32: no I, L, O or U; read forgivingly (O as 0, I and L as 1).
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -_\u00a0\t\r\n.")


class DecryptionError(ConductError):
    """A secret that does not open what it was given (wrong password, recovery key or receipt,
    or a ciphertext that was altered or moved). Says nothing about which."""


@dataclass(frozen=True)
class KdfParams:
    """Argon2id's parameters and salt for one password-derived key (RFC 9106's second
    recommended option by default: 3 passes over 64 MiB)."""

    salt: bytes
    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 4

    @classmethod
    def fresh(cls, *, time_cost: int = 3, memory_kib: int = 64 * 1024) -> KdfParams:
        return cls(secrets.token_bytes(SALT_BYTES), time_cost, memory_kib)


def _password_key(password: str, params: KdfParams) -> bytes:
    return hash_secret_raw(
        password.encode("utf-8"),
        params.salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def _hkdf(secret: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(secret)


def new_key() -> bytes:
    """A fresh 256-bit item key from the operating system's CSPRNG."""
    return secrets.token_bytes(KEY_BYTES)


def seal(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    """`nonce || ciphertext+tag`; `context` (a report or recipient id, say) must match to open."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + ChaCha20Poly1305(key).encrypt(nonce, plaintext, context)


def unseal(key: bytes, sealed: bytes, context: bytes) -> bytes:
    try:
        return ChaCha20Poly1305(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context)
    except (InvalidTag, ValueError) as error:
        raise DecryptionError("this secret does not open it") from error


def _raw(public: X25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def wrap_for(public_key: bytes, item_key: bytes, context: bytes) -> bytes:
    """An item key sealed for one recipient's public key: `ephemeral public || sealed`."""
    recipient = X25519PublicKey.from_public_bytes(public_key)
    ephemeral = X25519PrivateKey.generate()
    mine = _raw(ephemeral.public_key())
    shared = ephemeral.exchange(recipient)
    key = _hkdf(shared, _WRAP_INFO, salt=mine + public_key)
    return mine + seal(key, item_key, context)


def unwrap(private_key: X25519PrivateKey, wrapped: bytes, context: bytes) -> bytes:
    """The item key from `wrap_for`'s output, with the recipient's private key."""
    theirs, sealed = wrapped[:KEY_BYTES], wrapped[KEY_BYTES:]
    try:
        shared = private_key.exchange(X25519PublicKey.from_public_bytes(theirs))
    except ValueError as error:
        raise DecryptionError("this secret does not open it") from error
    key = _hkdf(shared, _WRAP_INFO, salt=theirs + _raw(private_key.public_key()))
    return unseal(key, sealed, context)


def reporter_key(code: str, salt: bytes) -> X25519PrivateKey:
    """The reporter's private key, derived from their receipt code: replies are wrapped for its
    public key (stored with the report), and only the code opens them. The code's 100 random
    bits make a slow derivation needless."""
    seed = _hkdf(normalise_code(code).encode("ascii", "replace"), _RECEIPT_INFO, salt)
    return X25519PrivateKey.from_private_bytes(seed)


def public_bytes(private: X25519PrivateKey) -> bytes:
    return _raw(private.public_key())


def normalise_code(typed: str) -> str:
    """A receipt or recovery code as generated, from what someone typed."""
    return typed[:128].translate(_SEPARATORS).upper().translate(_READ_AS)


def lookup_hash(code: str) -> str:
    """Hex SHA-256 of the normalised code under its own label: what the database stores to find
    a report by its receipt. A code has at least 80 random bits, so no secret key or slow hash is
    needed to make the stored value useless to someone who copies it."""
    label = b"streetlight conduct: receipt lookup\x00"
    return hashlib.sha256(label + normalise_code(code).encode("ascii", "replace")).hexdigest()


def new_code(chars: int) -> str:
    """`chars` characters of Crockford's base32 (5 bits each) in groups of four."""
    code = "".join(secrets.choice(_ALPHABET) for _ in range(chars))
    return "-".join(code[n : n + RECOVERY_GROUP] for n in range(0, chars, RECOVERY_GROUP))


@dataclass(frozen=True)
class Keyring:
    """What the database keeps of a recipient's key pair: the public key in clear, the private
    key sealed under their password and, separately, under their recovery key."""

    public_key: bytes
    kdf: KdfParams
    by_password: bytes
    recovery_salt: bytes
    by_recovery: bytes


@dataclass(frozen=True)
class Enrolment:
    """A new keyring, and the recovery code to print once and never store."""

    keyring: Keyring
    recovery_code: str


RECOVERY_CHARS = 52  # 260 bits, shown as 13 groups of four


def _private_bytes(private: X25519PrivateKey) -> bytes:
    return private.private_bytes_raw()


def _recovery_key(code: str, salt: bytes) -> bytes:
    """The key a recovery code (256+ random bits: no slow derivation needed) seals under."""
    return _hkdf(normalise_code(code).encode("ascii", "replace"), _RECOVERY_INFO, salt)


def _keyring(
    private: X25519PrivateKey, password: str, recovery: str, context: bytes, kdf: KdfParams
) -> Keyring:
    recovery_salt = secrets.token_bytes(SALT_BYTES)
    raw = _private_bytes(private)
    return Keyring(
        public_key=_raw(private.public_key()),
        kdf=kdf,
        by_password=seal(_password_key(password, kdf), raw, context),
        recovery_salt=recovery_salt,
        by_recovery=seal(_recovery_key(recovery, recovery_salt), raw, context),
    )


def enrol(password: str, context: bytes, *, kdf: KdfParams | None = None) -> Enrolment:
    """A recipient's new key pair, sealed under their password and a new recovery code."""
    recovery = new_code(RECOVERY_CHARS)
    keyring = _keyring(
        X25519PrivateKey.generate(), password, recovery, context, kdf or KdfParams.fresh()
    )
    return Enrolment(keyring, recovery)


def unlock(keyring: Keyring, password: str, context: bytes) -> X25519PrivateKey:
    """The private key, with the recipient's password."""
    raw = unseal(_password_key(password, keyring.kdf), keyring.by_password, context)
    return X25519PrivateKey.from_private_bytes(raw)


def recover(
    keyring: Keyring,
    recovery_code: str,
    new_password: str,
    context: bytes,
    *,
    kdf: KdfParams | None = None,
) -> Enrolment:
    """A forgotten password: the same key pair (so every report wrapped for it still opens) under
    a new password and a new recovery code; the old code no longer works once this is stored."""
    key = _recovery_key(recovery_code, keyring.recovery_salt)
    private = X25519PrivateKey.from_private_bytes(unseal(key, keyring.by_recovery, context))
    recovery = new_code(RECOVERY_CHARS)
    return Enrolment(
        _keyring(private, new_password, recovery, context, kdf or KdfParams.fresh()), recovery
    )


def change_password(
    keyring: Keyring, old: str, new: str, context: bytes, *, kdf: KdfParams | None = None
) -> Keyring:
    """The private key resealed under a new password; the recovery seal is kept as it was."""
    private = unlock(keyring, old, context)
    params = kdf or KdfParams.fresh()
    return Keyring(
        public_key=keyring.public_key,
        kdf=params,
        by_password=seal(_password_key(new, params), _private_bytes(private), context),
        recovery_salt=keyring.recovery_salt,
        by_recovery=keyring.by_recovery,
    )
