"""Accounts follow the directory: sync the queued members' sign-in accounts with Keycloak.

Three short steps, so no row lock is held while Keycloak is called and a directory write never
waits on it: lease due rows (`FOR UPDATE SKIP LOCKED`, safe in every replica), call Keycloak
for each, record each outcome (synced, or failed with the next try backed off).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from services.members.domain.access import require_member_visible, require_registrar
from services.members.domain.accounts import (
    MEMBER_ROLE,
    MEMBER_USERNAME,
    require_account_admin,
    retry_delay,
)
from services.members.identity import (
    Account,
    AccountDirectory,
    IdentityRefused,
    IdentityUnavailable,
)
from services.members.repository.accounts import AccountRow
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal, Role
from shared.errors import Conflict, DomainError, InvalidInput, NotFound
from shared.kernel import Clock
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class SyncAccounts:
    batch: int = 50
    lease: timedelta = timedelta(minutes=2)  # longer than a batch of Keycloak calls takes


@dataclass(frozen=True)
class SyncOutcome:
    synced: int = 0
    failed: list[str] = field(default_factory=list)  # member ids that will be tried again


def account_of(row: AccountRow) -> Account:
    return Account(
        username=row.username,
        role=MEMBER_ROLE,
        region_code=row.region_code,
        enabled=row.wanted_enabled,
        first_name=row.full_name,
        member_id=str(row.member_id),
    )


async def sync_accounts(
    cmd: SyncAccounts,
    *,
    uow: Callable[[], MembersUnitOfWork],
    directory: AccountDirectory,
    clock: Clock,
) -> SyncOutcome:
    now = clock.now()
    async with uow() as u:
        rows = await u.accounts.claim_due(now, now + cmd.lease, cmd.batch)
        await u.commit()
    if not rows:
        return SyncOutcome()
    done: list[tuple[AccountRow, str]] = []
    failed: list[tuple[AccountRow, str]] = []
    for row in rows:
        try:
            done.append((row, await directory.ensure(account_of(row))))
        except IdentityRefused as exc:
            failed.append((row, str(exc)))
        except Exception as exc:  # unreachable, 5xx, a bug: this row waits, the rest go on
            failed.append((row, str(exc) or exc.__class__.__name__))
    at = clock.now()
    async with uow() as u:
        for row, user_id in done:
            await u.accounts.synced(row, user_id, at)
        for row, error in failed:
            await u.accounts.failed(row, error, at + retry_delay(row.attempts + 1), at)
            log.warning("account sync failed", member_id=str(row.member_id), error=error[:200])
        await u.commit()
    return SyncOutcome(len(done), [str(row.member_id) for row, _ in failed])


# --- what offices do by hand: staff and department accounts, a member's first password -----

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 (no 0/O/1/l/I)


class SignInUnavailable(DomainError):
    """Keycloak is away: retry later."""

    status = 503
    title = "Service Unavailable"


@dataclass(frozen=True)
class CreateOfficeAccount:
    username: str
    full_name: str
    role: Role
    region_code: str
    department_code: str | None = None


@dataclass(frozen=True)
class ResetMemberPassword:
    member_id: UUID


@dataclass(frozen=True)
class IssuedPassword:
    """A one-time password the office hands over; Keycloak asks for a new one at first sign-in."""

    username: str
    temporary_password: str


def temporary_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))


async def create_office_account(
    cmd: CreateOfficeAccount,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    directory: AccountDirectory | None,
) -> IssuedPassword:
    require_account_admin(principal, cmd.role, cmd.region_code, cmd.department_code)
    if cmd.role is Role.DEPARTMENT:
        await _require_department(cmd, principal, uow)
    username = cmd.username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise InvalidInput("username must be 1-64 characters without spaces")
    if MEMBER_USERNAME.fullmatch(username):
        raise InvalidInput("user names of the form m + 12 hex digits are the members' own")
    account = Account(
        username=username,
        role=cmd.role.value,
        region_code=cmd.region_code,
        first_name=cmd.full_name.strip(),
        department_code=cmd.department_code,
    )
    return await _issue(account, _require(directory), create_only=True)


async def reset_member_password(
    cmd: ResetMemberPassword,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    directory: AccountDirectory | None,
) -> IssuedPassword:
    require_member_visible(principal, cmd.member_id)
    async with uow:
        member = await uow.members.get_in_scope(cmd.member_id, principal.region_code)
        if member is None:
            raise NotFound("member not found")
        require_registrar(principal, member.region_code)
        row = await uow.accounts.get(member.id)
    # After the scope check: another area's member is a 404 whether sign-in is on or not.
    found = _require(directory)
    if row is None or row.keycloak_user_id is None or row.due:
        raise Conflict("the member's account is not in step with the directory yet: retry soon")
    if not row.wanted_enabled:
        raise Conflict("a retired member's account stays disabled")
    return await _issue(account_of(row), found)


async def _require_department(
    cmd: CreateOfficeAccount, principal: Principal, uow: MembersUnitOfWork
) -> None:
    """A department account speaks for a department of the directory, in the office's area and
    in that department's own region (else it could answer concerns as another's)."""
    async with uow:
        region = await uow.departments.region_of(cmd.department_code or "", principal.region_code)
    if region is None:
        raise InvalidInput("department_code is not a department of your area")
    if region != cmd.region_code:
        raise InvalidInput("a department account's region_code is its department's region")


def _require(directory: AccountDirectory | None) -> AccountDirectory:
    # Not an outage (503 would ask clients to retry forever): this deployment has no identity
    # provider configured, so there is no account to act on.
    if directory is None:
        raise Conflict("sign-in accounts are not provisioned by this deployment")
    return directory


async def _issue(
    account: Account, directory: AccountDirectory, *, create_only: bool = False
) -> IssuedPassword:
    password = temporary_password()
    try:
        user_id = await directory.ensure(account, create_only=create_only)
        await directory.set_password(user_id, password, temporary=True)
    except IdentityUnavailable as exc:
        raise SignInUnavailable("the sign-in service is unreachable: retry later") from exc
    except IdentityRefused as exc:
        raise Conflict(f"the sign-in service refused: {exc}") from exc
    return IssuedPassword(account.username, password)
