"""How personal data looks to someone who may know it exists but not what it is."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """张三丰 → 张*丰, 李四 → 李*, 欧阳娜娜 → 欧**娜."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; anything shorter keeps only its last two digits."""
    digits = "".join(c for c in phone if c.isdigit())
    if len(digits) >= 11:
        return digits[-11:-8] + "****" + digits[-4:]
    return "*" * max(0, len(digits) - 2) + digits[-2:]


def mask_id_number(id_number: str) -> str:
    """230302199001011234 → 230302********1234 (region and last four stay)."""
    if len(id_number) < 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_workplace(workplace: str) -> str:
    return workplace[:2] + "***" if workplace else ""
