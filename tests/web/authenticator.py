"""A software authenticator for tests: WebAuthn answers made as a browser would send them (JSON,
bytes in base64url), signed with a P-256 key, so the server's checks can be exercised without a
browser. Its CBOR is encoded by the `webauthn` package's own helper (cbor2): nothing here parses
CBOR or COSE, and nothing here is used by the app.

Layouts from the WebAuthn Level 2 recommendation: authenticator data (6.1), attested credential
data (6.5.1), a "none" attestation (8.7), an EC2 COSE key (RFC 9053, 7.1.1).
"""

from __future__ import annotations

import copy
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import bytes_to_base64url, encode_cbor

USER_PRESENT = 0x01
ATTESTED_DATA = 0x40
JSON = dict[str, Any]


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@dataclass
class SoftKey:
    """One credential on one authenticator. `counting`: whether it keeps a signature counter
    (one that does not always reports 0, as many passkeys do)."""

    rp_id: str
    origin: str
    counting: bool = True
    sign_count: int = 0
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=_new_key)
    credential_id: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    @property
    def id(self) -> str:
        return bytes_to_base64url(self.credential_id)

    def clone(self) -> SoftKey:
        """A copy with the same private key and counter: what an attacker who extracted the key
        would hold."""
        return copy.copy(self)

    def cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        # kty EC2, alg ES256, crv P-256, x, y
        cose = {
            1: 2,
            3: -7,
            -1: 1,
            -2: numbers.x.to_bytes(32, "big"),
            -3: numbers.y.to_bytes(32, "big"),
        }
        return encode_cbor(cose)

    def register(self, options: JSON, *, origin: str | None = None) -> JSON:
        """The answer to registration options (as `navigator.credentials.create()` gives it)."""
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attested = (
            bytes(16)  # AAGUID: none given
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + self.cose_public_key()
        )
        auth_data = self._auth_data(USER_PRESENT | ATTESTED_DATA) + attested
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return self._credential(
            {
                "clientDataJSON": bytes_to_base64url(client_data),
                "attestationObject": bytes_to_base64url(attestation),
                "transports": ["usb", "nfc"],
            }
        )

    def sign(self, options: JSON, *, origin: str | None = None) -> JSON:
        """The answer to authentication options (as `navigator.credentials.get()` gives it); a
        counting key advances its counter first, as real ones do."""
        if self.counting:
            self.sign_count += 1
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        auth_data = self._auth_data(USER_PRESENT)
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = self.private_key.sign(signed, ec.ECDSA(hashes.SHA256()))
        return self._credential(
            {
                "clientDataJSON": bytes_to_base64url(client_data),
                "authenticatorData": bytes_to_base64url(auth_data),
                "signature": bytes_to_base64url(signature),
            }
        )

    def _auth_data(self, flags: int) -> bytes:
        rp_id_hash = hashlib.sha256(self.rp_id.encode()).digest()
        return rp_id_hash + bytes([flags]) + self.sign_count.to_bytes(4, "big")

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        data = {"type": kind, "challenge": challenge, "origin": origin or self.origin}
        return json.dumps({**data, "crossOrigin": False}).encode()

    def _credential(self, response: JSON) -> JSON:
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "response": response,
            "clientExtensionResults": {},
        }
