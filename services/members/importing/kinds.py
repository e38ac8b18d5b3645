"""What each kind of import file holds: its columns, with Chinese and English headers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ImportKind(StrEnum):
    """The files a city brings, in the order they depend on each other (departments, 承办单位,
    depend on nothing but the regions)."""

    COMMITTEES = "committees"
    MEMBERS = "members"
    UNITS = "units"
    LIAISONS = "liaisons"
    WORKSTATIONS = "workstations"
    DEPARTMENTS = "departments"


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the Chinese header users know
    required: bool
    notes: str
    example: str = ""

    @property
    def header(self) -> str:
        """`姓名(full_name)`: both languages; either one alone is accepted too."""
        return f"{self.label}({self.key})"


def _external_id(what: str) -> Column:
    return Column(
        "external_id",
        "外部编号",
        True,
        f"stable id of the {what} in your own records; re-importing the same id updates it "
        "(letters, digits, _ . : / -, at most 64)",
    )


_MEMBER_REF = Column(
    "member_external_id", "委员外部编号", True, "external_id of the member (members file)"
)
_REGION = Column(
    "region_code", "行政区划代码", True, "6-digit GB/T 2260 code inside your scope", "230382"
)

COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    ImportKind.COMMITTEES: (
        _external_id("committee"),
        Column(
            "type",
            "类型",
            True,
            "committee (政协) or special_committee (专委会)",
            "special_committee",
        ),
        Column("code", "代码", True, "e.g. cppcc-230300, cppcc-230300-education", "cppcc-230300"),
        Column("name", "名称", True, "full name, at most 100 characters", "政协鸡西市委员会"),
        Column(
            "region_code",
            "行政区划代码",
            False,
            "committees: 6-digit code of the city or county; empty for special committees",
            "230300",
        ),
        Column(
            "committee_code",
            "所属政协代码",
            False,
            "special committees: code of their committee (in the database or in this file)",
        ),
    ),
    ImportKind.MEMBERS: (
        _external_id("member"),
        Column("full_name", "姓名", True, "at most 64 characters", "王建国"),
        Column("sector_code", "界别代码", True, "a sector code, e.g. education", "education"),
        Column("committee_code", "所属政协代码", True, "code of the member's committee"),
        Column(
            "special_committee_code",
            "专委会代码",
            False,
            "a special committee of the same committee",
        ),
        _REGION,
        Column("term", "届次", False, "e.g. 第十四届, at most 40 characters"),
        Column("title", "职务", False, "public post, at most 200 characters"),
    ),
    ImportKind.UNITS: (
        _external_id("grassroots unit"),
        _MEMBER_REF,
        Column("name", "单元名称", True, "at most 200 characters", "密山市第一中学"),
        Column(
            "kind",
            "单元类型",
            True,
            "residential_compound 住宅小区, office_building 商务楼宇, village 村, "
            "enterprise 企业, school 学校, hospital 医院, farm 农场, other 其他",
            "school",
        ),
        _REGION,
        Column("address", "地址", False, "at most 200 characters"),
    ),
    ImportKind.LIAISONS: (
        _external_id("liaison"),
        _MEMBER_REF,
        Column("name", "姓名", True, "stored encrypted; at most 64 characters"),
        Column(
            "phone",
            "联系电话",
            True,
            "stored encrypted; mobile (11 digits) or landline (0xxx-xxxxxxx)",
        ),
        Column(
            "id_number",
            "身份证号码",
            False,
            "stored encrypted; the 18-character resident ID number (GB 11643), as text",
        ),
        Column("workplace", "工作单位", False, "stored encrypted; at most 200 characters"),
        Column(
            "region_code",
            "行政区划代码",
            False,
            "6-digit code inside your scope; empty: the member's region",
        ),
        Column(
            "consent_to_departments",
            "同意向承办单位提供身份",
            False,
            "是/否 (yes/no); empty: no",
            "否",
        ),
    ),
    ImportKind.WORKSTATIONS: (
        _external_id("workstation"),
        Column(
            "kind", "类型", True, "workstation 委员工作站 or workroom 委员工作室", "workstation"
        ),
        Column("name", "名称", True, "at most 200 characters", "密山市裴德镇委员工作站"),
        _REGION,
        Column(
            "locality_code",
            "乡镇街道社区代码",
            False,
            "9 or 12 digits starting with region_code",
        ),
        Column("head_name", "负责人", False, "at most 64 characters"),
        Column(
            "guiding_special_committee_code",
            "指导专委会代码",
            False,
            "code of the guiding special committee",
        ),
        Column(
            "member_external_ids",
            "驻站委员外部编号",
            False,
            "external_ids of the attached members, separated by ; (the whole list)",
        ),
    ),
    ImportKind.DEPARTMENTS: (
        _external_id("department"),
        Column(
            "code",
            "单位代码",
            True,
            "the code its sign-in names; fixed once registered",
            "jx-education-bureau",
        ),
        Column(
            "name", "单位名称", True, "full Chinese name, at most 200 characters", "鸡西市教育局"
        ),
        Column(
            "region_code",
            "行政区划代码",
            True,
            "6-digit code of the region it serves, inside your scope; fixed once registered",
            "230300",
        ),
        Column("contact", "联系方式", False, "the office's phone or desk, at most 200 characters"),
        Column(
            "platform_id",
            "处置平台编号",
            False,
            "its id on the government disposal platform (政务联动处置平台), at most 64",
        ),
    ),
}


def column(kind: ImportKind, key: str) -> Column:
    return next(c for c in COLUMNS[kind] if c.key == key)
