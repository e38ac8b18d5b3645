"""JWT verification (ES256/RS256 only) and the caller's role and region scope."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from uuid import UUID

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from shared.logging import get_logger
from shared.regions import in_scope, is_region_code

log = get_logger(__name__)

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


def key_files(source: Path) -> list[Path]:
    """One PEM file, or every `*.pem` in a directory (a mounted Secret with several keys).

    Names starting with a dot are skipped: a mounted Secret keeps its real files under
    `..data/` and `..<timestamp>/` and shows them through symlinks at the top.
    """
    if not source.is_dir():
        return [source]
    return sorted(p for p in source.glob("*.pem") if not p.name.startswith(".") and p.is_file())


def load_public_keys(source: Path) -> dict[str, PublicKey]:
    """Every key `source` holds, by `kid`; raises if any file is not a usable public key."""
    keys = [load_public_key(path) for path in key_files(source)]
    return {key_id(k): k for k in keys}


def _fingerprint(source: Path) -> tuple[tuple[str, int, int, int], ...]:
    """Changes when a key file is added, removed or replaced (also by a Secret's symlink swap)."""
    found = []
    for path in key_files(source):
        try:
            stat = path.stat()
        except OSError:
            continue
        found.append((path.name, stat.st_ino, stat.st_size, stat.st_mtime_ns))
    return tuple(found)


class PublicKeyRing:
    """The public keys tokens may be signed with, by `kid`; re-read when the files change.

    During a signing-key rotation the issuer's old and new public keys are both in the ring, so
    tokens of either are accepted; removing a file (or a key of the mounted Secret) stops
    accepting its tokens within `reload_seconds`, without a restart. A change that cannot be
    loaded (a half-written file) keeps the last good keys and is tried again.
    """

    def __init__(
        self,
        keys: Iterable[PublicKey] = (),
        *,
        source: Path | None = None,
        reload_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._keys = {key_id(k): k for k in keys}
        self._source = source
        self._reload_seconds = reload_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: tuple[tuple[str, int, int, int], ...] | None = None
        self._checked_at = float("-inf")
        if source is not None:
            self._seen = _fingerprint(source)
            self._keys = load_public_keys(source)  # at start-up a broken key file is fatal
            self._checked_at = clock()

    @property
    def kids(self) -> frozenset[str]:
        self._refresh()
        return frozenset(self._keys)

    def get(self, kid: str) -> PublicKey | None:
        self._refresh()
        return self._keys.get(kid)

    def _refresh(self) -> None:
        if self._source is None or self._clock() - self._checked_at < self._reload_seconds:
            return
        with self._lock:
            now = self._clock()
            if now - self._checked_at < self._reload_seconds:
                return
            self._checked_at = now
            seen = _fingerprint(self._source)
            if seen == self._seen:
                return
            try:
                keys = load_public_keys(self._source)
            except (OSError, ValueError) as exc:
                log.warning("jwt keys not reloaded", error=exc.__class__.__name__)
                return
            self._keys, self._seen = keys, seen
            log.info("jwt keys reloaded", kids=sorted(keys))


class TokenVerifier:
    def __init__(
        self, keys: Iterable[PublicKey] | PublicKeyRing, *, issuer: str, audience: str
    ) -> None:
        self._ring = keys if isinstance(keys, PublicKeyRing) else PublicKeyRing(keys)
        self._issuer = issuer
        self._audience = audience

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthError("malformed token") from exc
        key = self._ring.get(str(header.get("kid")))
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
