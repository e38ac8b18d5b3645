"""Liaisons' personal data at rest: AES-GCM, each value bound to its liaison row and field.

Binding (associated data = liaison id + field name) means a ciphertext copied into another
row or column does not decrypt: nobody can move a phone number onto another person.

The cipher holds a key ring so the key can be rotated online: values are encrypted with the
current key and name it (`PK1:` + an 8-byte key id + nonce + ciphertext); any key of the ring
decrypts. Values written before key ids existed (nonce + ciphertext) are tried with every key:
AES-GCM's tag tells the right one apart. `python -m services.members.rotate_pii_key` re-encrypts
the rows still on an older key.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12
_MAGIC = b"PK1:"
_KEY_ID_BYTES = 8
TAG_BYTES = len(_MAGIC) + _KEY_ID_BYTES  # what names the key: the prefix the SQL compares


class PiiKeyError(InvalidTag):
    """No key of the ring authenticates the value: its key was removed too early, or the value
    was moved to another row or field. An InvalidTag, as before the key ring."""


def key_id(key: bytes) -> bytes:
    """A stable, non-secret id of a key (a domain-separated hash; reveals nothing about it)."""
    return hashlib.sha256(b"cppcc-pii-key\x00" + key).digest()[:_KEY_ID_BYTES]


class PiiCipher:
    def __init__(self, current: bytes, *previous: bytes) -> None:
        ring = [current, *previous]
        if any(len(key) != 32 for key in ring):
            raise ValueError("every PII key must be 32 bytes (AES-256)")
        self._current = key_id(current)
        self._ring = {key_id(key): AESGCM(key) for key in ring}

    @classmethod
    def from_file(cls, path: Path) -> PiiCipher:
        """One base64 key per line: the first encrypts, the others only decrypt (`#` comments)."""
        lines = [line.strip() for line in path.read_text().splitlines()]
        keys = [base64.b64decode(line) for line in lines if line and not line.startswith("#")]
        if not keys:
            raise ValueError(f"{path} holds no PII key")
        return cls(*keys)

    @property
    def current_tag(self) -> bytes:
        """How every value encrypted now begins: rows without it are still on an older key."""
        return _MAGIC + self._current

    @property
    def current_key_id(self) -> str:
        return self._current.hex()

    def encrypt(self, liaison_id: UUID, field: str, value: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._ring[self._current].encrypt(nonce, value.encode(), _bind(liaison_id, field))
        return self.current_tag + nonce + sealed

    def decrypt(self, liaison_id: UUID, field: str, blob: bytes) -> str:
        bound = _bind(liaison_id, field)
        if blob.startswith(_MAGIC):
            aead = self._ring.get(blob[len(_MAGIC) : TAG_BYTES])
            if aead is not None:
                body = blob[TAG_BYTES:]
                try:
                    return _open(aead, body, bound)
                except InvalidTag:
                    pass  # a value from before key ids that happens to start like one
        for aead in self._ring.values():
            try:
                return _open(aead, blob, bound)
            except InvalidTag:
                continue
        raise PiiKeyError(f"no PII key in the ring decrypts {field} of liaison {liaison_id}")

    def is_current(self, blob: bytes) -> bool:
        return blob.startswith(self.current_tag)


def _open(aead: AESGCM, blob: bytes, bound: bytes) -> str:
    nonce, ciphertext = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]
    return aead.decrypt(nonce, ciphertext, bound).decode()


def _bind(liaison_id: UUID, field: str) -> bytes:
    return liaison_id.bytes + field.encode()
