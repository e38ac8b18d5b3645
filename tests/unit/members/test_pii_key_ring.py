"""The PII key ring: values name their key, any key of the ring decrypts, the first encrypts."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.members.pii import TAG_BYTES, PiiCipher, PiiKeyError, key_id

OLD, NEW = os.urandom(32), os.urandom(32)
LIAISON = uuid4()


def _legacy(key: bytes, liaison_id: UUID, field: str, value: str) -> bytes:
    """A value as the service wrote it before key ids: nonce + ciphertext."""
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, value.encode(), liaison_id.bytes + field.encode())


def test_a_value_names_the_current_key_and_decrypts_with_it() -> None:
    cipher = PiiCipher(NEW, OLD)
    blob = cipher.encrypt(LIAISON, "phone", "13812345678")
    assert blob[:TAG_BYTES] == b"PK1:" + key_id(NEW) == cipher.current_tag
    assert cipher.is_current(blob)
    assert cipher.decrypt(LIAISON, "phone", blob) == "13812345678"


def test_values_under_the_old_key_decrypt_once_the_new_key_is_current() -> None:
    written = PiiCipher(OLD).encrypt(LIAISON, "name", "李晓芳")
    ring = PiiCipher(NEW, OLD)
    assert not ring.is_current(written)
    assert ring.decrypt(LIAISON, "name", written) == "李晓芳"


def test_values_from_before_key_ids_decrypt_with_any_key_of_the_ring() -> None:
    legacy = _legacy(OLD, LIAISON, "id_number", "230382198506123455")
    assert PiiCipher(NEW, OLD).decrypt(LIAISON, "id_number", legacy) == "230382198506123455"
    assert not PiiCipher(NEW, OLD).is_current(legacy)


def test_a_legacy_value_that_happens_to_look_tagged_still_decrypts() -> None:
    # Forge a legacy nonce that begins like a tag naming a key of the ring.
    nonce = (b"PK1:" + key_id(NEW))[:12]
    legacy = nonce + AESGCM(OLD).encrypt(nonce, b"x", LIAISON.bytes + b"name")
    assert PiiCipher(NEW, OLD).decrypt(LIAISON, "name", legacy) == "x"


def test_without_its_key_a_value_is_refused_by_name() -> None:
    blob = PiiCipher(OLD).encrypt(LIAISON, "phone", "13812345678")
    with pytest.raises(PiiKeyError, match="phone of liaison"):
        PiiCipher(NEW).decrypt(LIAISON, "phone", blob)


def test_the_row_binding_still_holds_under_every_key() -> None:
    ring = PiiCipher(NEW, OLD)
    for blob in (
        ring.encrypt(LIAISON, "phone", "13812345678"),
        _legacy(OLD, LIAISON, "phone", "13812345678"),
    ):
        with pytest.raises(PiiKeyError):
            ring.decrypt(uuid4(), "phone", blob)
        with pytest.raises(PiiKeyError):
            ring.decrypt(LIAISON, "name", blob)


def test_the_key_file_lists_the_current_key_first_then_the_older_ones(tmp_path: Path) -> None:
    path = tmp_path / "pii-key"
    path.write_text(
        f"# rotated 2026-11-27\n{base64.b64encode(NEW).decode()}\n\n"
        f"{base64.b64encode(OLD).decode()}\n"
    )
    cipher = PiiCipher.from_file(path)
    assert cipher.current_key_id == key_id(NEW).hex()
    assert (
        cipher.decrypt(LIAISON, "name", PiiCipher(OLD).encrypt(LIAISON, "name", "赵敏")) == "赵敏"
    )


def test_a_one_line_key_file_is_what_it_always_was(tmp_path: Path) -> None:
    path = tmp_path / "pii-key"
    path.write_text(base64.b64encode(OLD).decode() + "\n")
    legacy = _legacy(OLD, LIAISON, "name", "孙立")
    assert PiiCipher.from_file(path).decrypt(LIAISON, "name", legacy) == "孙立"


def test_an_empty_key_file_or_a_short_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pii-key"
    path.write_text("# nothing yet\n")
    with pytest.raises(ValueError, match="holds no PII key"):
        PiiCipher.from_file(path)
    with pytest.raises(ValueError, match="32 bytes"):
        PiiCipher(NEW, os.urandom(16))
