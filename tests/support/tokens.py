"""Signing keys and tokens for tests, made with the same code as the dev-token command."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric import ec

from deploy.devtokens import PII_KEY_NAME, ensure_keys, issue_token, load_private_key
from shared.auth import Role


@dataclass(frozen=True)
class TestKeys:
    directory: Path
    public_key_file: Path
    private_key: ec.EllipticCurvePrivateKey

    @classmethod
    def create(cls, directory: Path) -> TestKeys:
        public = ensure_keys(directory)
        return cls(directory, public, load_private_key(directory))

    @property
    def pii_key_file(self) -> Path:
        return self.directory / PII_KEY_NAME

    def token(self, role: Role, region: str, *, member_id: UUID | None = None) -> str:
        return issue_token(self.private_key, role=role, region=region, member_id=member_id)

    def headers(self, role: Role, region: str, *, member_id: UUID | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, region, member_id=member_id)}"}
