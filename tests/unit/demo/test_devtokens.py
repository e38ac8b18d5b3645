"""The dev-token tool serves tests, scripts and `make run`; no service or shared module uses it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from deploy.devtokens import PII_KEY_NAME, PUBLIC_NAME, ensure_keys, main

ROOT = Path(__file__).resolve().parents[3]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", ["services", "shared"])
def test_the_production_code_never_imports_the_deploy_tools(package: str) -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / package).rglob("*.py"))
        if any(name == "deploy" or name.startswith("deploy.") for name in _imports(path))
    ]
    assert offenders == []


def test_keys_makes_the_dev_secrets_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["keys", "--dir", str(tmp_path)])
    public = (tmp_path / PUBLIC_NAME).read_bytes()
    assert capsys.readouterr().out.strip() == str(tmp_path / PUBLIC_NAME)
    assert ensure_keys(tmp_path).read_bytes() == public
    assert (tmp_path / PII_KEY_NAME).stat().st_mode & 0o777 == 0o600
