"""Composition root of the members service: create_app(settings) wires everything."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.members import jobs, web
from services.members.api import ROUTERS
from services.members.api.deps import Deps
from services.members.identity import keycloak_accounts
from services.members.pii import PiiCipher
from services.members.settings import MembersSettings
from shared.bootstrap import create_platform_app
from shared.kernel import Clock, SystemClock
from shared.runtime import Runtime

MIGRATIONS = Path(__file__).parent / "migrations"
_MULTIPART_ROOM = 1024 * 1024


def create_app(settings: MembersSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or MembersSettings()
    if settings.pii_key_file is None:
        raise RuntimeError("MEMBERS_PII_KEY_FILE is required: liaisons' personal data is encrypted")
    cipher = PiiCipher.from_file(settings.pii_key_file)

    def on_start(app: FastAPI, runtime: Runtime) -> None:
        directory = None
        issuer, secret_file = settings.oidc_issuer, settings.accounts_client_secret_file
        if issuer and secret_file is not None:
            directory = keycloak_accounts(
                issuer,
                settings.accounts_client_id,
                secret_file,
            )
        deps = Deps(runtime.pool, clock or SystemClock(), settings, cipher, directory)
        app.state.deps = deps
        if directory is not None:
            runtime.spawn(
                jobs.account_sync(deps.uow, directory, deps.clock, settings), name="account-sync"
            )
        if settings.festival_schedule_enabled:
            runtime.spawn(
                jobs.festival_schedule(deps.uow, deps.clock, settings), name="festival-schedule"
            )

    return create_platform_app(
        settings,
        title="Members service (委员与联系人)",
        description="The province's directory: members, their units and liaisons, occasions.",
        migrations_dir=MIGRATIONS,
        routers=[*ROUTERS, web.router],
        on_start=on_start,
        # City files are bigger than any JSON body; only the import endpoints take them. The
        # endpoint checks the file itself (with a precise message); this outer wall leaves room
        # for the multipart envelope around it.
        body_limit_overrides={"/v1/imports/": settings.import_max_bytes + _MULTIPART_ROOM},
    )
