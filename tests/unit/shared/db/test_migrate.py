"""Migration files: names, up/down sections, and the order they are applied in."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.db.migrate import SHARED_MIGRATIONS, Migration, load_migrations, parse_migration

ROOT = Path(__file__).resolve().parents[4]
REAL_MIGRATIONS = sorted(
    [*SHARED_MIGRATIONS.glob("*.sql"), *(ROOT / "services").glob("*/migrations/*.sql")]
)

GOOD = """\
-- migrate:up
-- The members' phone book.
CREATE TABLE member (id uuid PRIMARY KEY);

-- migrate:down
DROP TABLE member;
"""


def _write(directory: Path, name: str, text: str = GOOD) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_migration_file_is_parsed_into_version_name_up_and_down(tmp_path: Path) -> None:
    migration = parse_migration(_write(tmp_path, "20261127100000_member.sql"))

    assert migration == Migration(
        version="20261127100000",
        name="member",
        up="-- The members' phone book.\nCREATE TABLE member (id uuid PRIMARY KEY);",
        down="DROP TABLE member;",
    )


def test_the_down_section_may_come_first(tmp_path: Path) -> None:
    text = "-- migrate:down\nDROP TABLE t;\n-- migrate:up\nCREATE TABLE t ();\n"

    migration = parse_migration(_write(tmp_path, "20261127100000_t.sql", text))

    assert (migration.up, migration.down) == ("CREATE TABLE t ();", "DROP TABLE t;")


@pytest.mark.parametrize(
    "text",
    [
        "-- migrate:up\nCREATE TABLE t ();\n",
        "-- migrate:down\nDROP TABLE t;\n",
        "CREATE TABLE t ();\n",
        "",
        "-- migrate: up\nCREATE TABLE t ();\n-- migrate: down\nDROP TABLE t;\n",
    ],
    ids=["no-down", "no-up", "no-sections", "empty", "misspelt-markers"],
)
def test_a_file_without_both_sections_is_refused(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, "20261127100000_t.sql", text)

    with pytest.raises(ValueError, match="migrate:up and -- migrate:down"):
        parse_migration(path)


@pytest.mark.parametrize(
    "name",
    [
        "member.sql",
        "2026112710000_member.sql",
        "202611271000000_member.sql",
        "20261127100000-member.sql",
        "20261127100000_Member.sql",
        "20261127100000_member.SQL",
        "20261127100000_.sql",
        "20261127100000_member.sql.bak",
    ],
)
def test_a_file_name_that_is_not_timestamp_underscore_slug_is_refused(
    tmp_path: Path, name: str
) -> None:
    with pytest.raises(ValueError, match=r"YYYYMMDDHHMMSS_slug\.sql"):
        parse_migration(_write(tmp_path, name))


def test_migrations_from_several_folders_are_ordered_by_version(tmp_path: Path) -> None:
    shared, service = tmp_path / "shared", tmp_path / "service"
    _write(service, "20261127100000_member.sql")
    _write(shared, "20261127000002_inbox.sql")
    _write(service, "20261201090000_member_phone.sql")
    _write(shared, "20261127000001_outbox.sql")

    migrations = load_migrations([service, shared])

    assert [m.name for m in migrations] == ["outbox", "inbox", "member", "member_phone"]


def test_the_same_version_in_two_folders_is_refused(tmp_path: Path) -> None:
    _write(tmp_path / "shared", "20261127000001_outbox.sql")
    _write(tmp_path / "service", "20261127000001_member.sql")

    with pytest.raises(ValueError, match=r"duplicate migration versions: \['20261127000001'\]"):
        load_migrations([tmp_path / "shared", tmp_path / "service"])


def test_files_that_are_not_sql_are_ignored(tmp_path: Path) -> None:
    _write(tmp_path, "20261127100000_member.sql")
    _write(tmp_path, "README.md", "how to write a migration")

    assert [m.name for m in load_migrations([tmp_path])] == ["member"]


def test_the_real_migration_folders_exist() -> None:
    assert SHARED_MIGRATIONS.is_dir()
    assert len(REAL_MIGRATIONS) >= 2
    assert any(p.parent.parent.parent.name == "services" for p in REAL_MIGRATIONS)


@pytest.mark.parametrize(
    "path", REAL_MIGRATIONS, ids=[str(p.relative_to(ROOT)) for p in REAL_MIGRATIONS]
)
def test_every_real_migration_parses_with_an_up_and_a_down(path: Path) -> None:
    migration = parse_migration(path)

    assert migration.up
    assert migration.down
    assert "-- migrate:" not in migration.up + migration.down


@pytest.mark.parametrize(
    "service_dir",
    sorted((ROOT / "services").glob("*/migrations")),
    ids=lambda p: p.parent.name,
)
def test_each_service_loads_with_the_shared_migrations_without_clashing(service_dir: Path) -> None:
    migrations = load_migrations([SHARED_MIGRATIONS, service_dir])

    assert [m.version for m in migrations] == sorted(m.version for m in migrations)
