"""Dev-only keys and tokens (tests, scripts, `make run`): `python -m deploy.devtokens`."""

from __future__ import annotations

import argparse
import base64
import os
import time
from collections.abc import Sequence
from pathlib import Path
from uuid import UUID

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from shared.auth import DEV_ISSUER as DEV_ISSUER  # re-exported: tests and scripts import it here
from shared.auth import Role, key_id

PII_KEY_NAME = "pii-data.key"
PRIVATE_NAME = "jwt-private.pem"
PUBLIC_NAME = "jwt-public.pem"
DEV_AUDIENCE = "cppcc-platform"


def ensure_keys(directory: Path) -> Path:
    """Create the dev secrets in `directory` unless there: an ES256 key pair for tokens and a
    256-bit key for personal data at rest. Returns the public key's path."""
    directory.mkdir(parents=True, exist_ok=True)
    pii_key = directory / PII_KEY_NAME
    if not pii_key.exists():
        pii_key.write_text(base64.b64encode(os.urandom(32)).decode() + "\n")
        pii_key.chmod(0o600)
    private_path, public_path = directory / PRIVATE_NAME, directory / PUBLIC_NAME
    if not private_path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        private_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        private_path.chmod(0o600)
        public_path.write_bytes(
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
    return public_path


def issue_token(
    private_key: ec.EllipticCurvePrivateKey,
    *,
    role: Role,
    region: str,
    subject: str | None = None,
    member_id: UUID | None = None,
    ttl_seconds: int = 8 * 3600,
    issuer: str = DEV_ISSUER,
    audience: str = DEV_AUDIENCE,
) -> str:
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": subject or f"dev-{role.value}-{region}",
        "role": role.value,
        "region": region,
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if member_id is not None:
        claims["member_id"] = str(member_id)
    return jwt.encode(
        claims, private_key, algorithm="ES256", headers={"kid": key_id(private_key.public_key())}
    )


def load_private_key(directory: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key((directory / PRIVATE_NAME).read_bytes(), None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("dev signing key must be EC P-256")
    return key


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Dev-only JWT keys and tokens.")
    sub = parser.add_subparsers(dest="command", required=True)
    keys = sub.add_parser("keys", help="create a key pair if missing")
    keys.add_argument("--dir", type=Path, default=Path(".run/keys"))
    issue = sub.add_parser("issue", help="print a token for a role and region")
    issue.add_argument("--keys-dir", type=Path, default=Path(".run/keys"))
    issue.add_argument("--role", required=True, choices=[r.value for r in Role])
    issue.add_argument("--region", required=True, help="GB/T 2260 code, e.g. 230300 (Jixi)")
    issue.add_argument("--member-id", type=UUID)
    issue.add_argument("--sub")
    issue.add_argument("--ttl-minutes", type=int, default=480)
    args = parser.parse_args(argv)
    if args.command == "keys":
        print(ensure_keys(args.dir))
        return
    token = issue_token(
        load_private_key(args.keys_dir),
        role=Role(args.role),
        region=args.region,
        subject=args.sub,
        member_id=args.member_id,
        ttl_seconds=args.ttl_minutes * 60,
    )
    print(token)


if __name__ == "__main__":
    main()
