"""Trusting an OIDC issuer: JWKS caching and refetching, Keycloak's claims, the one-role rule,
several issuers at once, and the production setting that refuses the dev tokens."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from uuid import UUID

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pydantic import ValidationError

from deploy.devtokens import DEV_AUDIENCE, ensure_keys, issue_token, load_private_key
from shared.auth import (
    DEV_ISSUER,
    AuthError,
    ClaimStyle,
    IssuerUnavailable,
    OidcKeys,
    PublicKeyRing,
    Role,
    TokenVerifier,
    TrustedIssuer,
    load_public_key,
    parse_jwks,
    platform_role,
)
from shared.bootstrap import token_verifier
from shared.settings import ServiceSettings

ISSUER = "http://127.0.0.1:8080/realms/cppcc"
AUDIENCE = "cppcc-platform"
MEMBER_ID = "0193a6f1-6c2e-7b3a-9d41-5f2c8e7a1b21"


class FakeIssuer:
    """Discovery and JWKS documents served from memory, counting the fetches."""

    def __init__(self) -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "rsa-1"
        self.extra: list[dict[str, Any]] = []
        self.fetches = 0
        self.down = False

    def jwk(self, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, kid: str) -> dict[str, Any]:
        algorithm = "RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256"
        jwk: dict[str, Any] = jwt.get_algorithm_by_name(algorithm).to_jwk(
            key.public_key(), as_dict=True
        )
        return {**jwk, "kid": kid, "use": "sig", "alg": algorithm}

    def fetch(self, url: str) -> Any:
        if self.down:
            raise ConnectionError("issuer down")
        if url.endswith("/.well-known/openid-configuration"):
            return {"issuer": ISSUER, "jwks_uri": ISSUER + "/protocol/openid-connect/certs"}
        self.fetches += 1
        return {"keys": [self.jwk(self.rsa, self.kid), *self.extra]}

    def token(self, *, key: Any = None, kid: str | None = None, **claims: Any) -> str:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": ISSUER,
            "aud": [AUDIENCE, "account"],
            "sub": "5a1c0b6e-0000-4000-8000-000000000001",
            "typ": "Bearer",
            "iat": now,
            "exp": now + 300,
            "realm_access": {"roles": ["default-roles-cppcc", "constituent", "city_admin"]},
            "region": "230300",
            **claims,
        }
        body = {k: v for k, v in body.items() if v is not None}
        signer = key or self.rsa
        algorithm = "RS256" if isinstance(signer, rsa.RSAPrivateKey) else "ES256"
        return jwt.encode(body, signer, algorithm, headers={"kid": kid or self.kid})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def issuer() -> FakeIssuer:
    return FakeIssuer()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _verifier(issuer: FakeIssuer, clock: Clock, **options: Any) -> TokenVerifier:
    keys = OidcKeys(ISSUER, fetch_json=issuer.fetch, clock=clock, **options)
    return TokenVerifier.of([TrustedIssuer(ISSUER, keys, AUDIENCE, ClaimStyle.KEYCLOAK)])


def test_a_keycloak_token_becomes_its_principal(issuer: FakeIssuer, clock: Clock) -> None:
    principal = _verifier(issuer, clock).verify(issuer.token())

    assert (principal.role, principal.region_code) == (Role.CITY_ADMIN, "230300")
    assert principal.subject == principal.account == "5a1c0b6e-0000-4000-8000-000000000001"


def test_a_member_and_a_department_officer(issuer: FakeIssuer, clock: Clock) -> None:
    verifier = _verifier(issuer, clock)
    member = verifier.verify(
        issuer.token(realm_access={"roles": ["member"]}, member_id=MEMBER_ID, region="230382")
    )
    officer = verifier.verify(
        issuer.token(
            realm_access={"roles": ["constituent", "department"]},
            department_code="jx-education-bureau",
        )
    )

    assert (member.role, member.member_id) == (Role.MEMBER, UUID(MEMBER_ID))
    # A department acts as its department: the services key its work on the code.
    assert officer.subject == officer.department_code == "jx-education-bureau"
    assert officer.account == "5a1c0b6e-0000-4000-8000-000000000001"


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (["constituent"], Role.CONSTITUENT),
        (["default-roles-cppcc", "constituent", "offline_access"], Role.CONSTITUENT),
        (["constituent", "member"], Role.MEMBER),
        (["auditor"], Role.AUDITOR),
        (["uma_authorization", "data_platform"], Role.DATA_PLATFORM),
    ],
)
def test_the_one_role_rule(roles: list[str], expected: Role) -> None:
    assert platform_role(roles) is expected


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        ([], "no platform role"),
        (["offline_access", "admin"], "no platform role"),
        (["constituent", "member", "city_admin"], "more than one platform role"),
        (["province_admin", "auditor"], "more than one platform role"),
    ],
)
def test_no_role_or_two_roles_are_refused(roles: list[str], message: str) -> None:
    with pytest.raises(AuthError, match=message):
        platform_role(roles)


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"typ": "ID"}, "not an access token"),
        ({"typ": "Refresh"}, "not an access token"),
        ({"realm_access": None}, "no realm roles"),
        ({"realm_access": {"roles": "member"}}, "no realm roles"),
        ({"region": None}, "region"),
        ({"region": "23030"}, "region"),
        ({"realm_access": {"roles": ["member"]}}, "member_id"),
        ({"realm_access": {"roles": ["department"]}}, "department_code"),
        ({"aud": "account"}, "InvalidAudience"),
        ({"iss": "http://127.0.0.1:8080/realms/other"}, "InvalidIssuer"),
        # Far from now: these are computed when the suite is collected, which may be half an
        # hour before this test runs in a full run.
        ({"exp": int(time.time()) - 86_400}, "ExpiredSignature"),
        ({"nbf": int(time.time()) + 30 * 86_400}, "ImmatureSignature"),
        ({"sub": None}, "sub"),
    ],
)
def test_bad_claims_are_refused(
    issuer: FakeIssuer, clock: Clock, claims: dict[str, Any], message: str
) -> None:
    with pytest.raises(AuthError, match=message):
        _verifier(issuer, clock).verify(issuer.token(**claims))


def test_only_rs256_and_es256_signature_keys_are_taken(issuer: FakeIssuer) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    p384 = ec.generate_private_key(ec.SECP384R1())
    jwks = {
        "keys": [
            issuer.jwk(issuer.rsa, "sig-rsa"),
            issuer.jwk(ec_key, "sig-ec"),
            {**issuer.jwk(issuer.rsa, "enc-rsa"), "use": "enc", "alg": "RSA-OAEP"},
            {**issuer.jwk(issuer.rsa, "ps256"), "alg": "PS256"},
            {**issuer.jwk(p384, "p384"), "alg": "ES384", "crv": "P-384"},
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0", "alg": "HS256"},
            {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
        ]
    }

    parsed = parse_jwks(jwks)

    assert {kid: alg for kid, (_, alg) in parsed.items()} == {
        "sig-rsa": "RS256",
        "sig-ec": "ES256",
    }


def test_the_algorithm_comes_from_the_key_not_the_token(issuer: FakeIssuer, clock: Clock) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    issuer.extra = [issuer.jwk(ec_key, "ec-1")]
    verifier = _verifier(issuer, clock)
    # An EC token under the RSA key's kid, an RSA token under the EC key's kid: both refused.
    with pytest.raises(AuthError):
        verifier.verify(issuer.token(key=ec_key, kid=issuer.kid))
    with pytest.raises(AuthError):
        verifier.verify(issuer.token(key=issuer.rsa, kid="ec-1"))
    assert verifier.verify(issuer.token(key=ec_key, kid="ec-1")).role is Role.CITY_ADMIN


def test_keys_are_cached_and_a_rotation_is_picked_up_at_the_first_new_kid(
    issuer: FakeIssuer, clock: Clock
) -> None:
    verifier = _verifier(issuer, clock, min_refetch_seconds=30)
    for _ in range(5):
        verifier.verify(issuer.token())
    assert issuer.fetches == 1

    # Keycloak rotates: a new key becomes active, the old one stays published for a while.
    new = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issuer.extra = [issuer.jwk(new, "rsa-2")]
    clock.now += 31
    assert verifier.verify(issuer.token(key=new, kid="rsa-2")).role is Role.CITY_ADMIN
    assert verifier.verify(issuer.token()).role is Role.CITY_ADMIN  # the old key too
    assert issuer.fetches == 2


def test_made_up_kids_cannot_flood_the_issuer(issuer: FakeIssuer, clock: Clock) -> None:
    verifier = _verifier(issuer, clock, min_refetch_seconds=30)
    verifier.verify(issuer.token())
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for n in range(50):
        with pytest.raises(AuthError, match="unknown signing key"):
            verifier.verify(issuer.token(key=stranger, kid=f"made-up-{n}"))
        clock.now += 0.1
    assert issuer.fetches == 1  # 5 s of made-up kids: no refetch within the 30 s limit
    clock.now += 30
    with pytest.raises(AuthError, match="unknown signing key"):
        verifier.verify(issuer.token(key=stranger, kid="made-up-again"))
    assert issuer.fetches == 2


def test_an_issuer_that_is_down_keeps_its_cached_keys_and_none_is_503(
    issuer: FakeIssuer, clock: Clock
) -> None:
    cold = _verifier(issuer, clock, max_age_seconds=60)
    issuer.down = True
    with pytest.raises(IssuerUnavailable):
        cold.verify(issuer.token())

    issuer.down = False
    warm = _verifier(issuer, clock, max_age_seconds=60)
    warm.verify(issuer.token())
    issuer.down = True
    clock.now += 3600  # long past the keys' age: refetch fails, the cached keys still verify
    assert warm.verify(issuer.token()).role is Role.CITY_ADMIN


def test_a_discovery_document_naming_another_issuer_is_not_trusted(clock: Clock) -> None:
    evil = FakeIssuer()

    def fetch(url: str) -> Any:
        document = evil.fetch(url)
        if "issuer" in document:
            document["issuer"] = "https://evil.example/realms/cppcc"
        return document

    keys = OidcKeys(ISSUER, fetch_json=fetch, clock=clock)
    verifier = TokenVerifier.of([TrustedIssuer(ISSUER, keys, AUDIENCE, ClaimStyle.KEYCLOAK)])
    with pytest.raises(IssuerUnavailable):
        verifier.verify(evil.token())


def test_keycloak_and_the_dev_tokens_are_trusted_at_once(
    issuer: FakeIssuer, clock: Clock, tmp_path: Path
) -> None:
    public = ensure_keys(tmp_path)
    dev_key = load_private_key(tmp_path)
    verifier = TokenVerifier.of(
        [
            TrustedIssuer(
                ISSUER,
                OidcKeys(ISSUER, fetch_json=issuer.fetch, clock=clock),
                AUDIENCE,
                ClaimStyle.KEYCLOAK,
            ),
            TrustedIssuer(DEV_ISSUER, PublicKeyRing([load_public_key(public)]), DEV_AUDIENCE),
        ]
    )
    dev = issue_token(dev_key, role=Role.AUDITOR, region="230000")

    assert verifier.verify(issuer.token()).role is Role.CITY_ADMIN
    assert verifier.verify(dev).role is Role.AUDITOR
    assert verifier.issuers == sorted([ISSUER, DEV_ISSUER])
    # A dev-style token (a `role` claim) signed with the dev key but claiming Keycloak's
    # issuer: the Keycloak trust holds no such key.
    forged = issue_token(dev_key, role=Role.PROVINCE_ADMIN, region="230000", issuer=ISSUER)
    with pytest.raises(AuthError, match="unknown signing key"):
        verifier.verify(forged)


def test_the_services_trust_what_their_settings_name(tmp_path: Path) -> None:
    public = ensure_keys(tmp_path)
    both = token_verifier(ServiceSettings(oidc_issuer=ISSUER, jwt_public_key_file=public))
    keycloak_only = token_verifier(ServiceSettings(oidc_issuer=ISSUER))
    dev_only = token_verifier(ServiceSettings(jwt_public_key_file=public))

    assert both.issuers == sorted([ISSUER, DEV_ISSUER])
    assert keycloak_only.issuers == [ISSUER]
    assert dev_only.issuers == [DEV_ISSUER]


def test_production_refuses_the_dev_issuer_and_plain_http(tmp_path: Path) -> None:
    public = ensure_keys(tmp_path)
    sso = "https://sso.example.invalid/realms/cppcc"
    with pytest.raises(ValidationError, match="refuses the dev-token issuer"):
        ServiceSettings(environment="production", oidc_issuer=sso, jwt_public_key_file=public)
    with pytest.raises(ValidationError, match="needs oidc_issuer"):
        ServiceSettings(environment="production")
    with pytest.raises(ValidationError, match="https"):
        ServiceSettings(environment="production", oidc_issuer=ISSUER)
    # The real issuer, by OIDC or by its published keys: fine.
    assert ServiceSettings(environment="production", oidc_issuer=sso).oidc_issuer == sso
    static = ServiceSettings(environment="production", jwt_public_key_file=public, jwt_issuer=sso)
    assert static.jwt_issuer == sso
    # Development trusts both.
    assert ServiceSettings(oidc_issuer=ISSUER, jwt_public_key_file=public).environment == (
        "development"
    )


def test_one_issuer_name_for_two_kinds_of_keys_is_refused(tmp_path: Path) -> None:
    # Keyed by issuer, the static keys would silently replace the identity provider's JWKS.
    public = ensure_keys(tmp_path)
    with pytest.raises(ValidationError, match="must differ"):
        ServiceSettings(oidc_issuer=ISSUER, jwt_public_key_file=public, jwt_issuer=ISSUER + "/")
