"""The onboarding files a city office would upload: the members service's import templates
(Chinese and English headers), filled in from the demo directory."""

from __future__ import annotations

import csv
import io

from deploy.demo.directory import Directory
from deploy.demo.places import DEPARTMENT_NAMES, DEPARTMENTS, SPECIAL_COMMITTEES, City

HEADERS = {
    "committees": "外部编号(external_id),类型(type),代码(code),名称(name),"
    "行政区划代码(region_code),所属政协代码(committee_code)",
    "members": "外部编号(external_id),姓名(full_name),界别代码(sector_code),"
    "所属政协代码(committee_code),专委会代码(special_committee_code),行政区划代码(region_code),"
    "届次(term),职务(title)",
    "units": "外部编号(external_id),委员外部编号(member_external_id),单元名称(name),"
    "单元类型(kind),行政区划代码(region_code),地址(address)",
    "liaisons": "外部编号(external_id),委员外部编号(member_external_id),姓名(name),"
    "联系电话(phone),身份证号码(id_number),工作单位(workplace),行政区划代码(region_code),"
    "同意向承办单位提供身份(consent_to_departments)",
    "workstations": "外部编号(external_id),类型(kind),名称(name),行政区划代码(region_code),"
    "乡镇街道社区代码(locality_code),负责人(head_name),"
    "指导专委会代码(guiding_special_committee_code),驻站委员外部编号(member_external_ids)",
    "departments": "外部编号(external_id),单位代码(code),单位名称(name),"
    "行政区划代码(region_code),联系方式(contact),处置平台编号(platform_id)",
}
KINDS = tuple(HEADERS)  # the order a city onboards in: later files refer to earlier rows


def onboarding_file(kind: str, cities: list[City], directory: Directory) -> bytes:
    """One kind's CSV for some cities, UTF-8 with a BOM as spreadsheets save it."""
    out = io.StringIO()
    out.write("\ufeff" + HEADERS[kind] + "\n")
    writer = csv.writer(out, lineterminator="\n")
    for city in cities:
        writer.writerows(_rows(kind, city, directory))
    return out.getvalue().encode()


def _rows(kind: str, city: City, d: Directory) -> list[list[str]]:
    if kind == "departments":
        return _departments(city)
    members = d.city_members(city)
    code = city.committee_code
    if kind == "committees":
        rows = [
            [f"DEMO-{city.short}-C", "committee", code, f"政协{city.name}委员会", city.code, ""]
        ]
        rows += [
            [
                f"DEMO-{city.short}-S-{suffix}",
                "special_committee",
                f"{code}-{suffix}",
                name,
                "",
                code,
            ]
            for suffix, name, _sectors in SPECIAL_COMMITTEES
        ]
        return rows
    if kind == "members":
        return [
            [
                m.external_id,
                m.name,
                m.sector,
                code,
                m.special_committee or "",
                m.region,
                "第十四届",
                m.title,
            ]
            for m in members
        ]
    if kind == "units":
        return [
            [
                m.external_id.replace("-M", "-U"),
                m.external_id,
                m.unit_name,
                m.unit_kind,
                m.region,
                "",
            ]
            for m in members
        ]
    if kind == "liaisons":
        return [
            [
                li.external_id,
                m.external_id,
                li.name,
                li.phone,
                "",
                li.workplace,
                "",
                "是" if li.consent else "否",
            ]
            for m in members
            for li in m.liaisons
        ]
    return [
        [
            w.external_id,
            w.kind,
            w.name,
            w.region,
            w.locality,
            w.head,
            w.guide or "",
            ";".join(w.members),
        ]
        for w in d.city_workstations(city)
    ]


def _departments(city: City) -> list[list[str]]:
    """A city's departments (承办单位): codes the demo's concerns are assigned to, Chinese names."""
    return [
        [
            f"DEMO-{city.short}-D{i}",
            f"{city.short}-{suffix}",
            city.name + DEPARTMENT_NAMES[suffix],
            city.code,
            f"0467-{city.code[2:4]}{i:05d}" if city.code == "230300" else "",
            f"ZWLD-{city.code}-{i:04d}",
        ]
        for i, (suffix, _sectors) in enumerate(DEPARTMENTS, start=1)
    ]
