"""The conduct reports' encryption: who can open what, and that nothing else does."""

from __future__ import annotations

import pytest

from streetlight.conduct import crypto
from streetlight.conduct.crypto import DecryptionError, KdfParams

# Cheap Argon2id for tests only; production keeps the defaults (64 MiB, 3 passes).
CHEAP = KdfParams(salt=b"0123456789abcdef", time_cost=1, memory_kib=1024, parallelism=1)
RECIPIENT = b"recipient:7"
REPORT = b"report:42"


def _enrolled(password: str = "correct horse battery") -> crypto.Enrolment:
    return crypto.enrol(password, RECIPIENT, kdf=CHEAP)


def test_an_item_opens_for_each_recipient_it_was_wrapped_for_and_no_one_else() -> None:
    alice, bob, eve = _enrolled("alice pass 1"), _enrolled("bob pass 22"), _enrolled("eve pass 333")
    key = crypto.new_key()
    sealed = crypto.seal(key, b"He showed his warrant card and...", REPORT)
    for_alice = crypto.wrap_for(alice.keyring.public_key, key, REPORT)
    for_bob = crypto.wrap_for(bob.keyring.public_key, key, REPORT)
    assert for_alice != for_bob  # a fresh ephemeral key each time
    for who, password, wrapped in (
        (alice, "alice pass 1", for_alice),
        (bob, "bob pass 22", for_bob),
    ):
        private = crypto.unlock(who.keyring, password, RECIPIENT)
        opened = crypto.unseal(crypto.unwrap(private, wrapped, REPORT), sealed, REPORT)
        assert opened == b"He showed his warrant card and..."
    eve_key = crypto.unlock(eve.keyring, "eve pass 333", RECIPIENT)
    with pytest.raises(DecryptionError):
        crypto.unwrap(eve_key, for_alice, REPORT)


def test_a_ciphertext_moved_to_another_report_does_not_open() -> None:
    key = crypto.new_key()
    sealed = crypto.seal(key, b"text", REPORT)
    with pytest.raises(DecryptionError):
        crypto.unseal(key, sealed, b"report:43")
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(DecryptionError):
        crypto.unseal(key, tampered, REPORT)


def test_the_stored_keyring_holds_neither_secret_and_a_wrong_password_fails() -> None:
    enrolment = _enrolled("the right password")
    ring = enrolment.keyring
    stored = b"".join(
        (ring.public_key, ring.kdf.salt, ring.by_password, ring.recovery_salt, ring.by_recovery)
    )
    assert b"the right password" not in stored
    assert crypto.normalise_code(enrolment.recovery_code).encode() not in stored
    with pytest.raises(DecryptionError):
        crypto.unlock(ring, "the wrong password", RECIPIENT)
    with pytest.raises(DecryptionError):
        crypto.unlock(ring, "the right password", b"recipient:8")


def test_recovery_keeps_the_key_pair_and_retires_the_old_code() -> None:
    enrolment = _enrolled("forgotten one")
    key = crypto.new_key()
    wrapped = crypto.wrap_for(enrolment.keyring.public_key, key, REPORT)
    typed = enrolment.recovery_code.lower().replace("-", " ")  # as someone types it back
    renewed = crypto.recover(enrolment.keyring, typed, "a new password", RECIPIENT, kdf=CHEAP)
    assert renewed.keyring.public_key == enrolment.keyring.public_key
    assert renewed.recovery_code != enrolment.recovery_code
    private = crypto.unlock(renewed.keyring, "a new password", RECIPIENT)
    assert crypto.unwrap(private, wrapped, REPORT) == key
    with pytest.raises(DecryptionError):
        crypto.recover(renewed.keyring, enrolment.recovery_code, "x" * 12, RECIPIENT, kdf=CHEAP)
    with pytest.raises(DecryptionError):
        crypto.recover(enrolment.keyring, "0000-0000", "x" * 12, RECIPIENT, kdf=CHEAP)


def test_a_password_change_keeps_the_recovery_code_working() -> None:
    enrolment = _enrolled("old password!")
    ring = crypto.change_password(
        enrolment.keyring, "old password!", "new password!", RECIPIENT, kdf=CHEAP
    )
    crypto.unlock(ring, "new password!", RECIPIENT)
    with pytest.raises(DecryptionError):
        crypto.unlock(ring, "old password!", RECIPIENT)
    crypto.recover(ring, enrolment.recovery_code, "third password", RECIPIENT, kdf=CHEAP)


def test_the_reporter_opens_their_report_and_replies_with_the_receipt_typed_loosely() -> None:
    code = crypto.new_code(20)
    assert len(crypto.normalise_code(code)) == 20  # 100 bits
    salt, key = b"s" * 16, crypto.new_key()
    public = crypto.public_bytes(crypto.reporter_key(code, salt))
    wrapped = crypto.wrap_for(public, key, REPORT)  # as a handler's reply is
    typed = crypto.reporter_key(code.lower().replace("-", ""), salt)
    assert crypto.unwrap(typed, wrapped, REPORT) == key
    with pytest.raises(DecryptionError):
        crypto.unwrap(crypto.reporter_key(crypto.new_code(20), salt), wrapped, REPORT)
    with pytest.raises(DecryptionError):
        crypto.unwrap(crypto.reporter_key(code, b"t" * 16), wrapped, REPORT)
    # The lookup hash is another derivation: it is stored, and it opens nothing.
    lookup = crypto.lookup_hash(code)
    assert lookup == crypto.lookup_hash(code.lower()) and len(lookup) == 64
    with pytest.raises(DecryptionError):
        crypto.unwrap(crypto.reporter_key(lookup, salt), wrapped, REPORT)


def test_default_key_derivation_is_rfc_9106_strength() -> None:
    params = KdfParams.fresh()
    assert (params.time_cost, params.memory_kib, len(params.salt)) == (3, 64 * 1024, 16)
