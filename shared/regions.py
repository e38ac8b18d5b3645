"""Region codes (GB/T 2260) and the scope rule: a scope covers every code that starts with it."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated

from pydantic import StringConstraints

REGION_CODE_PATTERN = r"^[1-9][0-9]{5}$"  # ASCII digits only: "\d" would take "２３"
RegionCode = Annotated[str, StringConstraints(pattern=REGION_CODE_PATTERN)]

_REGION_RE = re.compile(REGION_CODE_PATTERN)


def is_region_code(value: str) -> bool:
    return bool(_REGION_RE.fullmatch(value))


def scope_prefix(scope: str) -> str:
    """The significant prefix of a scope code.

    `230000` (a province) covers `23xxxx`; `230300` (a city) covers `2303xx`;
    `230381` (a county) covers itself only. Trailing `00` pairs are "everything below".
    """
    if not is_region_code(scope):
        raise ValueError(f"not a region code: {scope!r}")
    if scope.endswith("0000"):
        return scope[:2]
    if scope.endswith("00"):
        return scope[:4]
    return scope


@lru_cache(maxsize=8192)  # asked once per consumed event, of a few thousand region codes
def in_scope(scope: str, region_code: str) -> bool:
    """Whether `region_code` lies inside the area `scope` covers."""
    return is_region_code(region_code) and region_code.startswith(scope_prefix(scope))
