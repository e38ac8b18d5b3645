"""Token verification with real keys: what gets through, and every forgery that must not."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from deploy.devtokens import (
    DEV_AUDIENCE,
    DEV_ISSUER,
    ensure_keys,
    issue_token,
    load_private_key,
)
from shared.auth import (
    AuthError,
    Principal,
    PublicKey,
    Role,
    TokenVerifier,
    key_id,
    load_public_key,
)

MEMBER_ID = UUID("0193a6f1-6c2e-7b3a-9d41-5f2c8e7a1b21")


class Keys:
    """The ES256 dev key pair on disk, an RSA pair and a stranger's EC pair."""

    def __init__(self, directory: Path) -> None:
        self.public_path = ensure_keys(directory)
        self.ec_private = load_private_key(directory)
        self.ec_public = load_public_key(self.public_path)
        self.rsa_private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.stranger = ec.generate_private_key(ec.SECP256R1())

    @property
    def ec_kid(self) -> str:
        return key_id(self.ec_public)

    @property
    def rsa_kid(self) -> str:
        return key_id(self.rsa_private.public_key())


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    return Keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def verifier(keys: Keys) -> TokenVerifier:
    held: list[PublicKey] = [keys.ec_public, keys.rsa_private.public_key()]
    return TokenVerifier(held, issuer=DEV_ISSUER, audience=DEV_AUDIENCE)


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "u-1",
        "role": "city_admin",
        "region": "230300",
        "iss": DEV_ISSUER,
        "aud": DEV_AUDIENCE,
        "iat": now,
        "exp": now + 600,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"


def _es256(keys: Keys, **changes: Any) -> str:
    return jwt.encode(_claims(**changes), keys.ec_private, "ES256", headers={"kid": keys.ec_kid})


def test_a_dev_token_becomes_the_principal_it_was_issued_for(
    keys: Keys, verifier: TokenVerifier
) -> None:
    token = issue_token(
        keys.ec_private, role=Role.MEMBER, region="230381", subject="m-7", member_id=MEMBER_ID
    )

    assert verifier.verify(token) == Principal("m-7", Role.MEMBER, "230381", MEMBER_ID)


def test_a_staff_token_needs_no_member_id(keys: Keys, verifier: TokenVerifier) -> None:
    token = issue_token(keys.ec_private, role=Role.CITY_ADMIN, region="230300")

    principal = verifier.verify(token)
    assert principal.role is Role.CITY_ADMIN
    assert principal.region_code == "230300"
    assert principal.member_id is None
    assert principal.subject == "dev-city_admin-230300"


def test_a_principal_sees_regions_inside_its_scope_only() -> None:
    principal = Principal("u", Role.CITY_ADMIN, "230300")

    assert principal.can_see_region("230381")
    assert not principal.can_see_region("230100")


def test_an_rs256_token_is_verified_with_the_rsa_key_it_names(
    keys: Keys, verifier: TokenVerifier
) -> None:
    token = jwt.encode(
        _claims(role="auditor", region="230000"),
        keys.rsa_private,
        "RS256",
        headers={"kid": keys.rsa_kid},
    )

    assert verifier.verify(token) == Principal("u-1", Role.AUDITOR, "230000")


def test_a_token_expired_within_the_leeway_is_still_accepted(
    keys: Keys, verifier: TokenVerifier
) -> None:
    now = int(time.time())
    token = _es256(keys, iat=now - 600, exp=now - 5)

    assert verifier.verify(token).subject == "u-1"


def test_alg_none_is_refused(keys: Keys, verifier: TokenVerifier) -> None:
    token = _unsigned({"alg": "none", "typ": "JWT", "kid": keys.ec_kid}, _claims()) + "."

    with pytest.raises(AuthError):
        verifier.verify(token)


@pytest.mark.parametrize("kid", ["ec", "rsa"])
def test_hs256_signed_with_the_public_key_as_secret_is_refused(
    keys: Keys, verifier: TokenVerifier, kid: str
) -> None:
    public = keys.ec_public if kid == "ec" else keys.rsa_private.public_key()
    secret = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = _unsigned({"alg": "HS256", "typ": "JWT", "kid": key_id(public)}, _claims())
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{_b64(signature)}"

    with pytest.raises(AuthError):
        verifier.verify(token)


def test_an_expired_token_is_refused(keys: Keys, verifier: TokenVerifier) -> None:
    token = issue_token(keys.ec_private, role=Role.CITY_ADMIN, region="230300", ttl_seconds=-60)

    with pytest.raises(AuthError, match="ExpiredSignature"):
        verifier.verify(token)


def test_a_token_from_another_issuer_is_refused(keys: Keys, verifier: TokenVerifier) -> None:
    token = issue_token(keys.ec_private, role=Role.CITY_ADMIN, region="230300", issuer="evil")

    with pytest.raises(AuthError, match="InvalidIssuer"):
        verifier.verify(token)


def test_a_token_for_another_audience_is_refused(keys: Keys, verifier: TokenVerifier) -> None:
    token = issue_token(keys.ec_private, role=Role.CITY_ADMIN, region="230300", audience="other")

    with pytest.raises(AuthError, match="InvalidAudience"):
        verifier.verify(token)


def test_a_token_signed_by_a_key_we_do_not_hold_is_refused(
    keys: Keys, verifier: TokenVerifier
) -> None:
    token = issue_token(keys.stranger, role=Role.PROVINCE_ADMIN, region="230000")

    with pytest.raises(AuthError, match="unknown signing key"):
        verifier.verify(token)


def test_a_strangers_signature_under_our_kid_is_refused(
    keys: Keys, verifier: TokenVerifier
) -> None:
    token = jwt.encode(_claims(), keys.stranger, "ES256", headers={"kid": keys.ec_kid})

    with pytest.raises(AuthError, match="InvalidSignature"):
        verifier.verify(token)


def test_a_token_without_a_kid_is_refused(keys: Keys, verifier: TokenVerifier) -> None:
    token = jwt.encode(_claims(), keys.ec_private, "ES256")

    with pytest.raises(AuthError, match="unknown signing key"):
        verifier.verify(token)


def test_claims_changed_after_signing_are_refused(keys: Keys, verifier: TokenVerifier) -> None:
    header, _, signature = _es256(keys).split(".")
    forged_claims = _b64(json.dumps(_claims(role="province_admin", region="230000")).encode())

    with pytest.raises(AuthError):
        verifier.verify(f"{header}.{forged_claims}.{signature}")


def test_an_es256_token_naming_the_rsa_key_is_refused(keys: Keys, verifier: TokenVerifier) -> None:
    token = jwt.encode(_claims(), keys.ec_private, "ES256", headers={"kid": keys.rsa_kid})

    with pytest.raises(AuthError):
        verifier.verify(token)


def test_an_rs256_token_naming_the_ec_key_is_refused(keys: Keys, verifier: TokenVerifier) -> None:
    token = jwt.encode(_claims(), keys.rsa_private, "RS256", headers={"kid": keys.ec_kid})

    with pytest.raises(AuthError):
        verifier.verify(token)


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c", "...."])
def test_a_malformed_token_is_refused(verifier: TokenVerifier, token: str) -> None:
    with pytest.raises(AuthError):
        verifier.verify(token)


@pytest.mark.parametrize("missing", ["exp", "iat", "iss", "aud", "sub"])
def test_a_token_missing_a_required_claim_is_refused(
    keys: Keys, verifier: TokenVerifier, missing: str
) -> None:
    token = jwt.encode(
        {k: v for k, v in _claims().items() if k != missing},
        keys.ec_private,
        "ES256",
        headers={"kid": keys.ec_kid},
    )

    with pytest.raises(AuthError):
        verifier.verify(token)


def test_a_member_token_without_member_id_is_refused(keys: Keys, verifier: TokenVerifier) -> None:
    token = issue_token(keys.ec_private, role=Role.MEMBER, region="230381")

    with pytest.raises(AuthError, match="member_id"):
        verifier.verify(token)


def test_a_malformed_member_id_claim_is_refused(keys: Keys, verifier: TokenVerifier) -> None:
    with pytest.raises(AuthError, match="member_id"):
        verifier.verify(_es256(keys, role="member", member_id="not-a-uuid"))


@pytest.mark.parametrize("region", ["2303", "030000", "23030a", "2303000", 230300, ""])
def test_a_region_claim_that_is_not_a_six_digit_code_is_refused(
    keys: Keys, verifier: TokenVerifier, region: object
) -> None:
    with pytest.raises(AuthError, match="region"):
        verifier.verify(_es256(keys, region=region))


def test_a_token_without_a_region_claim_is_refused(keys: Keys, verifier: TokenVerifier) -> None:
    with pytest.raises(AuthError, match="region"):
        verifier.verify(_es256(keys, region=None))


@pytest.mark.parametrize("role", ["superuser", "ADMIN", "", None])
def test_an_unknown_role_is_refused(keys: Keys, verifier: TokenVerifier, role: str | None) -> None:
    with pytest.raises(AuthError, match="unknown role"):
        verifier.verify(_es256(keys, role=role))


def test_key_id_is_stable_and_distinguishes_keys(keys: Keys) -> None:
    assert key_id(load_public_key(keys.public_path)) == keys.ec_kid
    assert len(keys.ec_kid) == 16
    assert keys.ec_kid != keys.rsa_kid
    assert keys.ec_kid != key_id(keys.stranger.public_key())


def test_load_public_key_refuses_a_key_type_jwt_verification_does_not_use(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ed25519.pem"
    path.write_bytes(
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )

    with pytest.raises(ValueError, match="EC"):
        load_public_key(path)


def test_ensure_keys_keeps_an_existing_pair_and_guards_the_private_key(tmp_path: Path) -> None:
    public = ensure_keys(tmp_path)
    first = public.read_bytes()

    assert ensure_keys(tmp_path) == public
    assert public.read_bytes() == first
    assert (tmp_path / "jwt-private.pem").stat().st_mode & 0o777 == 0o600
