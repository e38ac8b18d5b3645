"""JWT verification (ES256/RS256 only) and the caller's role and region scope."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from uuid import UUID

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from shared.regions import in_scope, is_region_code

ALLOWED_ALGORITHMS = ("ES256", "RS256")


class Role(StrEnum):
    PROVINCE_ADMIN = "province_admin"
    CITY_ADMIN = "city_admin"
    COUNTY_ADMIN = "county_admin"
    COMMITTEE_STAFF = "committee_staff"
    MEMBER = "member"
    DEPARTMENT = "department"
    CONSTITUENT = "constituent"
    DATA_PLATFORM = "data_platform"
    AUDITOR = "auditor"


STAFF_ROLES = frozenset(
    {Role.PROVINCE_ADMIN, Role.CITY_ADMIN, Role.COUNTY_ADMIN, Role.COMMITTEE_STAFF}
)


@dataclass(frozen=True)
class Principal:
    """Who is calling, taken from the token only (never from the body or query)."""

    subject: str
    role: Role
    region_code: str
    member_id: UUID | None = None

    def can_see_region(self, region_code: str) -> bool:
        return in_scope(self.region_code, region_code)


class AuthError(Exception):
    """The token is missing, forged, expired or not for us: always answered with 401."""


PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey


def key_id(public_key: PublicKey) -> str:
    """A stable id for a key: the start of the SHA-256 of its DER encoding."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()[:16]


def load_public_key(path: Path) -> PublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise ValueError("JWT public key must be EC (ES256) or RSA (RS256)")
    return key


class TokenVerifier:
    def __init__(self, keys: list[PublicKey], *, issuer: str, audience: str) -> None:
        self._keys = {key_id(k): k for k in keys}
        self._issuer = issuer
        self._audience = audience

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthError("malformed token") from exc
        key = self._keys.get(str(header.get("kid")))
        if key is None:
            raise AuthError("unknown signing key")
        # The algorithm follows from the key we hold, never from the token's own header:
        # this is what refuses alg=none and HS256-signed-with-the-public-key forgeries.
        algorithm = "ES256" if isinstance(key, ec.EllipticCurvePublicKey) else "RS256"
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=30,
            )
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token: {exc.__class__.__name__}") from exc
        return _principal(claims)


def _principal(claims: dict[str, Any]) -> Principal:
    try:
        role = Role(str(claims.get("role")))
    except ValueError as exc:
        raise AuthError("unknown role") from exc
    region = claims.get("region")
    if not isinstance(region, str) or not is_region_code(region):
        raise AuthError("token has no valid region scope")
    member_id = claims.get("member_id")
    try:
        member_uuid = UUID(member_id) if member_id else None
    except (ValueError, TypeError) as exc:
        raise AuthError("malformed member_id claim") from exc
    if role is Role.MEMBER and member_uuid is None:
        raise AuthError("member token without member_id")
    return Principal(str(claims["sub"]), role, region, member_uuid)
