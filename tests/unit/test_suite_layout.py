"""The suite can be collected from a fresh clone: test modules need unique base names.

The test folders are not packages, so pytest imports each file by its base name; two files
called `test_pages.py` collect on a machine that has one of them cached and fail on a fresh one.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_no_two_test_modules_share_a_base_name() -> None:
    names = Counter(path.name for path in TESTS.rglob("test_*.py"))

    assert [name for name, count in names.items() if count > 1] == []
