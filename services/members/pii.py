"""Liaisons' personal data at rest: AES-GCM, each value bound to its liaison row and field.

Binding (associated data = liaison id + field name) means a ciphertext copied into another
row or column does not decrypt: nobody can move a phone number onto another person.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12


class PiiCipher:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the PII key must be 32 bytes (AES-256)")
        self._aead = AESGCM(key)

    @classmethod
    def from_file(cls, path: Path) -> PiiCipher:
        return cls(base64.b64decode(path.read_text().strip()))

    def encrypt(self, liaison_id: UUID, field: str, value: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, value.encode(), _bind(liaison_id, field))

    def decrypt(self, liaison_id: UUID, field: str, blob: bytes) -> str:
        nonce, ciphertext = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]
        return self._aead.decrypt(nonce, ciphertext, _bind(liaison_id, field)).decode()


def _bind(liaison_id: UUID, field: str) -> bytes:
    return liaison_id.bytes + field.encode()
