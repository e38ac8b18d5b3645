"""The README's Layout section, generated from the tree: every service's and shared's entries.

`python scripts/readme_layout.py` prints it; `--write` puts it into README.md between the
`<!-- layout:begin -->` and `<!-- layout:end -->` markers. `tests/unit/test_readme_layout.py`
fails when the README and the tree disagree, so the section cannot drift.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- layout:begin -->", "<!-- layout:end -->"
PACKAGES = (
    "services/members",
    "services/visits",
    "services/notifications",
    "services/reporting",
    "shared",
)
_SKIPPED = {"__init__.py", "__main__.py", "__pycache__"}
_NAME_WIDTH = 22


def summary(path: Path) -> str:
    """The first line of a module's (or a package's `__init__`'s) docstring."""
    source = path / "__init__.py" if path.is_dir() else path
    if source.suffix != ".py" or not source.exists():
        return _described_folder(path)
    docstring = ast.get_docstring(ast.parse(source.read_text(encoding="utf-8"))) or ""
    return docstring.strip().splitlines()[0] if docstring.strip() else ""


def _described_folder(path: Path) -> str:
    if path.name == "migrations":
        return "SQL migrations (one baseline, then YYYYMMDDHHMMSS_slug.sql with up/down)"
    if path.name == "import_templates":
        return "the onboarding files' templates and a sample city (Jixi)"
    if path.name == "static":
        return "files served as they are"
    return ""


def entries(package: Path) -> list[Path]:
    found = [p for p in package.iterdir() if p.name not in _SKIPPED and not p.name.startswith(".")]
    wanted = [p for p in found if p.is_dir() or p.suffix == ".py"]
    return sorted(wanted, key=lambda p: (p.is_file(), p.name))


def layout() -> str:
    lines = ["```"]
    for name in PACKAGES:
        package = ROOT / name
        lines.append(f"{name}/  {summary(package)}")
        for entry in entries(package):
            label = entry.name + ("/" if entry.is_dir() else "")
            lines.append(f"  {label:<{_NAME_WIDTH}}{summary(entry)}".rstrip())
    lines.append("```")
    return "\n".join(lines)


def with_layout(readme: str, section: str) -> str:
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{section}\n{END}{tail}"


def main(argv: list[str]) -> int:
    readme = ROOT / "README.md"
    if "--write" in argv:
        readme.write_text(with_layout(readme.read_text(encoding="utf-8"), layout()), "utf-8")
    else:
        print(layout())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
