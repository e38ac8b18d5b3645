"""Fictitious onboarding files: the sample city in the repository, and province-sized loads.

Everything here is made up and deterministic (picked by index, no randomness): names are
combinations of common characters, phones come from the 139xxxxxxxx range and ID numbers are
synthetic ones that merely pass the GB 11643 checksum. Rows follow `kinds.COLUMNS` order.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.members.importing.checks import id_check_character
from services.members.importing.kinds import ImportKind

Rows = list[list[str]]

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = "建国秀英志强桂兰海燕明华丽娟春梅晓东玉珍红霞立新淑芬德胜雪松永福慧敏宏伟静怡子涵浩然"
_SECTORS = (
    ("education", "cppcc-230300-edu"),
    ("medicine_health", "cppcc-230300-edu"),
    ("economy", "cppcc-230300-econ"),
    ("agriculture", "cppcc-230300-econ"),
    ("science_tech", None),
    ("culture_arts", None),
)
_UNIT_KINDS = (
    ("school", "学校"),
    ("hospital", "医院"),
    ("enterprise", "企业"),
    ("village", "村"),
    ("residential_compound", "小区"),
    ("office_building", "大厦"),
)
JIXI = "230300"
JIXI_COUNTIES = ("230302", "230303", "230304", "230321", "230381", "230382")
COMMITTEE = "cppcc-230300"


@dataclass(frozen=True)
class City:
    """A city's five files. `prefix` keeps external ids apart between generated cities."""

    members: int = 20
    liaisons_per_member: int = 10
    workstations: int = 3
    prefix: str = "JX"

    def rows(self, kind: ImportKind) -> Rows:
        build = {
            ImportKind.COMMITTEES: self.committees,
            ImportKind.MEMBERS: self.member_rows,
            ImportKind.UNITS: self.unit_rows,
            ImportKind.LIAISONS: self.liaison_rows,
            ImportKind.WORKSTATIONS: self.workstation_rows,
            ImportKind.DEPARTMENTS: self.department_rows,
        }[kind]
        return build()

    def member_id(self, i: int) -> str:
        return f"{self.prefix}-M-{i:05d}"

    def committees(self) -> Rows:
        p = self.prefix
        return [
            [f"{p}-C-0001", "committee", COMMITTEE, "政协鸡西市委员会", JIXI, ""],
            [
                f"{p}-S-0001",
                "special_committee",
                "cppcc-230300-edu",
                "教科卫体委员会",
                "",
                COMMITTEE,
            ],
            [f"{p}-S-0002", "special_committee", "cppcc-230300-econ", "经济委员会", "", COMMITTEE],
        ]

    def member_rows(self) -> Rows:
        rows = []
        for i in range(1, self.members + 1):
            sector, special = _SECTORS[i % len(_SECTORS)]
            title = "" if i % 3 else "鸡西市某单位负责人"
            rows.append(
                [
                    self.member_id(i),
                    _name(i, 3),
                    sector,
                    COMMITTEE,
                    special or "",
                    _county(i),
                    "第十四届",
                    title,
                ]
            )
        return rows

    def unit_rows(self) -> Rows:
        rows = []
        for i in range(1, self.members + 1):
            kind, word = _UNIT_KINDS[i % len(_UNIT_KINDS)]
            name = f"鸡西第{i}{word}"
            rows.append([f"{self.prefix}-U-{i:05d}", self.member_id(i), name, kind, _county(i), ""])
        return rows

    def liaison_rows(self) -> Rows:
        rows = []
        for i in range(1, self.members + 1):
            for j in range(1, self.liaisons_per_member + 1):
                n = (i - 1) * self.liaisons_per_member + j
                region = _county(i)
                rows.append(
                    [
                        f"{self.prefix}-L-{n:07d}",
                        self.member_id(i),
                        _name(n + 7, 2 + n % 2),
                        phone(n),
                        id_number(region, n) if n % 3 == 0 else "",
                        f"鸡西市第{n % 40 + 1}中学" if n % 2 else "",
                        "",
                        "是" if n % 4 == 0 else "否",
                    ]
                )
        return rows

    def department_rows(self) -> Rows:
        p, short = self.prefix, self.prefix.lower()
        return [
            [f"{p}-D-0001", f"{short}-education-bureau", "鸡西市教育局", JIXI, "0467-2300001", ""],
            [f"{p}-D-0002", f"{short}-housing-bureau", "鸡西市住房和城乡建设局", JIXI, "", ""],
        ]

    def workstation_rows(self) -> Rows:
        rows = []
        for w in range(1, self.workstations + 1):
            county = JIXI_COUNTIES[(w + 3) % len(JIXI_COUNTIES)]
            attached = [i for i in range(1, self.members + 1) if _county(i) == county][:4]
            kind, label = (
                ("workroom", "委员工作室") if w % 3 == 0 else ("workstation", "委员工作站")
            )
            rows.append(
                [
                    f"{self.prefix}-W-{w:04d}",
                    kind,
                    f"鸡西第{w}{label}",
                    county,
                    f"{county}{100 + w:03d}",
                    _name(w + 101, 3),
                    "cppcc-230300-edu" if w % 2 else "cppcc-230300-econ",
                    ";".join(self.member_id(i) for i in attached),
                ]
            )
        return rows


def phone(n: int) -> str:
    """1390000xxxx for the sample's first 9,999; beyond, the rest of the 139 range."""
    return f"139{n:08d}"


def id_number(region: str, n: int) -> str:
    born = f"{1960 + n % 40}{n % 12 + 1:02d}{n % 28 + 1:02d}"
    first17 = f"{region}{born}{n % 1000:03d}"
    return first17 + id_check_character(first17)


def _name(n: int, length: int) -> str:
    given = "".join(_GIVEN[(n * (k + 3) + k) % len(_GIVEN)] for k in range(length - 1))
    return _SURNAMES[n % len(_SURNAMES)] + given


def _county(i: int) -> str:
    return JIXI_COUNTIES[i % len(JIXI_COUNTIES)]
