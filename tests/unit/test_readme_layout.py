"""The README's Layout section is the tree: a moved or added module fails here until regenerated."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    path = ROOT / "scripts" / "readme_layout.py"
    spec = importlib.util.spec_from_file_location("readme_layout", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_layout_section_matches_the_tree() -> None:
    generator = _generator()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    expected = generator.with_layout(readme, generator.layout())

    assert readme == expected, "run: .venv/bin/python scripts/readme_layout.py --write"


def test_every_service_module_says_what_it_is() -> None:
    # The section is only as good as the docstrings it quotes.
    generator = _generator()
    silent = [
        f"{package}/{entry.name}"
        for package in generator.PACKAGES
        for entry in generator.entries(ROOT / package)
        if not generator.summary(entry)
    ]

    assert silent == []
