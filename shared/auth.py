"""JWT verification (ES256/RS256 only) and the caller's role and region scope."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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
# The issuer of the dev tokens (deploy/devtokens.py): refused by `environment=production`.
DEV_ISSUER = "cppcc-dev"


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
    """Who is calling, taken from the token only (never from the body or query).

    `subject` is what the services key a caller's own things on: the token's `sub`, except for
    a department, which acts as its department: there it is the department code (so every
    officer of a department sees and answers its concerns), and `account` keeps the person's
    `sub`. `department_code` is set for department principals only.
    """

    subject: str
    role: Role
    region_code: str
    member_id: UUID | None = None
    department_code: str | None = field(default=None, compare=False)
    # The signed-in account (the token's `sub`); None for tokens that carry only the subject.
    account: str | None = field(default=None, compare=False)

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


class IssuerUnavailable(Exception):
    """An OIDC issuer's keys could not be fetched and none are cached: answered with 503, so
    clients retry rather than sign the user out."""


class OidcKeys:
    """An OIDC issuer's signing keys, by `kid`: discovery document, then its `jwks_uri`.

    Fetched on first use and cached; fetched again when a token names a `kid` we do not hold
    (the issuer rotated its keys), at most once per `min_refetch_seconds` so made-up `kid`s cannot
    turn into a flood of requests, and in any case after `max_age_seconds`. If a fetch fails,
    the keys already held stay in use; with none held, `IssuerUnavailable` is raised.

    Only signature keys for RS256 (RSA) and ES256 (EC P-256) are taken; a key whose `alg` says
    otherwise, or whose `use` is not `sig`, is ignored.
    """

    def __init__(
        self,
        issuer: str,
        *,
        discovery_url: str | None = None,
        fetch_json: Callable[[str], Any] | None = None,
        min_refetch_seconds: float = 30.0,
        max_age_seconds: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = issuer
        self.discovery_url = discovery_url or (
            issuer.rstrip("/") + "/.well-known/openid-configuration"
        )
        self._fetch_json = fetch_json or _http_get_json
        self._min_refetch = min_refetch_seconds
        self._max_age = max_age_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[PublicKey, str]] = {}
        self._fetched_at = float("-inf")  # last successful fetch
        self._next_fetch = float("-inf")  # no fetch before this (the rate limit)

    @property
    def kids(self) -> frozenset[str]:
        return frozenset(self._keys)

    def get(self, kid: str) -> PublicKey | None:
        found = self.get_with_algorithm(kid)
        return found[0] if found else None

    def get_with_algorithm(self, kid: str) -> tuple[PublicKey, str] | None:
        found = self._keys.get(kid)
        if found is not None and self._clock() - self._fetched_at < self._max_age:
            return found
        with self._lock:
            now = self._clock()
            if now >= self._next_fetch:
                self._refresh(now)
            elif self._clock() - self._fetched_at >= self._max_age:
                log.warning("oidc keys past their age; refetch rate-limited", issuer=self.issuer)
            if not self._keys:
                raise IssuerUnavailable(f"keys of {self.issuer} unavailable")
            return self._keys.get(kid)

    def _refresh(self, now: float) -> None:
        try:
            discovery = self._fetch_json(self.discovery_url)
            if not isinstance(discovery, dict) or discovery.get("issuer") != self.issuer:
                raise ValueError("the discovery document names another issuer")
            keys = parse_jwks(self._fetch_json(str(discovery["jwks_uri"])))
        except Exception as exc:  # any failure: keep what we have, say so, retry soon
            log.warning("oidc keys not fetched", issuer=self.issuer, error=type(exc).__name__)
            self._next_fetch = now + min(self._min_refetch, _RETRY_AFTER_FAILURE_SECONDS)
            return
        if set(keys) != set(self._keys):
            log.info("oidc keys fetched", issuer=self.issuer, kids=sorted(keys))
        self._keys, self._fetched_at = keys, now
        self._next_fetch = now + self._min_refetch


# An issuer that did not answer is asked again this soon (not at every request in between).
_RETRY_AFTER_FAILURE_SECONDS = 2.0


def parse_jwks(jwks: Any) -> dict[str, tuple[PublicKey, str]]:
    """The usable signature keys of a JWK Set, by `kid`, with the algorithm each verifies."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise ValueError("not a JWK Set")
    keys: dict[str, tuple[PublicKey, str]] = {}
    for jwk in jwks["keys"]:
        if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str):
            continue
        if jwk.get("use", "sig") != "sig":
            continue
        kty, alg = jwk.get("kty"), jwk.get("alg")
        if kty == "RSA" and alg in (None, "RS256"):
            algorithm = "RS256"
        elif kty == "EC" and jwk.get("crv") == "P-256" and alg in (None, "ES256"):
            algorithm = "ES256"
        else:
            continue
        try:
            key = jwt.PyJWK(jwk, algorithm).key
        except jwt.PyJWTError:
            continue
        if isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
            keys[jwk["kid"]] = (key, algorithm)
    return keys


def _http_get_json(url: str) -> Any:
    # Imported here: only services that trust an OIDC issuer make these calls.
    import httpx

    response = httpx.get(url, timeout=5.0, follow_redirects=False)
    response.raise_for_status()
    return response.json()


class ClaimStyle(StrEnum):
    """How a trusted issuer states the role.

    PLATFORM: one `role` claim (the dev tokens, and a static-key issuer that mints them alike).
    KEYCLOAK: realm roles in `realm_access.roles`; see `platform_role` for the one-role rule.
    """

    PLATFORM = "platform"
    KEYCLOAK = "keycloak"


@dataclass(frozen=True)
class TrustedIssuer:
    """One issuer whose tokens the services accept: its keys, audience and claim style."""

    issuer: str
    keys: PublicKeyRing | OidcKeys
    audience: str
    style: ClaimStyle = ClaimStyle.PLATFORM


class TokenVerifier:
    """Verifies a Bearer token against the issuer it names, which must be one we trust.

    `TokenVerifier(keys, issuer=..., audience=...)` trusts one static-key issuer (the dev tokens
    or a PEM key set); `TokenVerifier.of([...])` several, e.g. Keycloak and, in development, the
    dev issuer as well.
    """

    def __init__(
        self,
        keys: Iterable[PublicKey] | PublicKeyRing,
        *,
        issuer: str,
        audience: str,
        style: ClaimStyle = ClaimStyle.PLATFORM,
    ) -> None:
        ring = keys if isinstance(keys, PublicKeyRing) else PublicKeyRing(keys)
        self._trusted = {issuer: TrustedIssuer(issuer, ring, audience, style)}

    @classmethod
    def of(cls, trusted: Iterable[TrustedIssuer]) -> TokenVerifier:
        verifier = cls.__new__(cls)
        verifier._trusted = {t.issuer: t for t in trusted}
        return verifier

    @property
    def issuers(self) -> list[str]:
        return sorted(self._trusted)

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise AuthError("malformed token") from exc
        issuer = unverified.get("iss")
        if not isinstance(issuer, str):
            raise AuthError("invalid token: MissingRequiredClaimError: iss")
        trusted = self._trusted.get(issuer)
        if trusted is None:
            raise AuthError("invalid token: InvalidIssuerError (not an issuer we trust)")
        kid = header.get("kid")
        found = _key(trusted.keys, kid) if isinstance(kid, str) else None
        if found is None:
            raise AuthError("unknown signing key")
        key, algorithm = found
        # The algorithm follows from the key we hold, never from the token's own header:
        # this is what refuses alg=none and HS256-signed-with-the-public-key forgeries.
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=trusted.audience,
                issuer=trusted.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=30,
            )
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token: {exc.__class__.__name__} ({exc})") from exc
        if trusted.style is ClaimStyle.KEYCLOAK:
            return _keycloak_principal(claims)
        return _principal(claims)


def _key(keys: PublicKeyRing | OidcKeys, kid: str) -> tuple[PublicKey, str] | None:
    if isinstance(keys, OidcKeys):
        return keys.get_with_algorithm(kid)
    key = keys.get(kid)
    if key is None:
        return None
    return key, "ES256" if isinstance(key, ec.EllipticCurvePublicKey) else "RS256"


def platform_role(realm_roles: Iterable[str]) -> Role:
    """The one platform role of a Keycloak token's realm roles.

    Every account has `constituent` (the realm's default role, what self-registration gives);
    a role granted on top of it replaces it. Roles that are not platform roles
    (`offline_access`, `default-roles-cppcc`, ...) are ignored. No platform role, or two or more
    above `constituent`, is refused: an account holds one role, and the admin fixes it.
    """
    held = {Role(r) for r in realm_roles if r in _ROLE_VALUES}
    above = held - {Role.CONSTITUENT}
    if len(above) > 1:
        names = ", ".join(sorted(r.value for r in above))
        raise AuthError(f"more than one platform role ({names}); an account holds one")
    if above:
        return above.pop()
    if Role.CONSTITUENT in held:
        return Role.CONSTITUENT
    raise AuthError("unknown role: the token holds no platform role")


_ROLE_VALUES = frozenset(r.value for r in Role)


def _keycloak_principal(claims: dict[str, Any]) -> Principal:
    # Keycloak marks its tokens: ID and refresh tokens are not Bearer tokens for an API.
    if claims.get("typ", "Bearer") != "Bearer":
        raise AuthError("not an access token")
    access = claims.get("realm_access")
    roles = access.get("roles") if isinstance(access, dict) else None
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise AuthError("unknown role: the token carries no realm roles")
    role = platform_role(roles)
    department = claims.get("department_code")
    if role is Role.DEPARTMENT:
        if not isinstance(department, str) or not department:
            raise AuthError("department token without department_code")
        return _principal({**claims, "role": role.value}, subject=department)
    return _principal({**claims, "role": role.value})


def _principal(claims: dict[str, Any], *, subject: str | None = None) -> Principal:
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
    except (ValueError, TypeError, AttributeError) as exc:
        raise AuthError("malformed member_id claim") from exc
    if role is Role.MEMBER and member_uuid is None:
        raise AuthError("member token without member_id")
    account = str(claims["sub"])
    subject = subject or account
    department = subject if role is Role.DEPARTMENT else None
    return Principal(subject, role, region, member_uuid, department, account)
