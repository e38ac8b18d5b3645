"""Heilongjiang as the demo sees it: real GB/T 2260 codes, Jixi's real counts, fictitious bodies.

The region codes and names are the real ones (the members service seeds the province, its
13 cities and Jixi's nine county-level units; the demo adds the other cities' counties through
the API). Committees, special committees, workstations and departments are invented, but shaped
like Jixi's: 19 workrooms (委员工作室) and 130 workstations (委员工作站).
"""

from __future__ import annotations

from dataclasses import dataclass

PROVINCE = "230000"
JIXI = "230300"
JIXI_WORKROOMS = 19
JIXI_WORKSTATIONS = 130


@dataclass(frozen=True)
class City:
    code: str
    name: str
    short: str  # for external ids and department codes
    counties: tuple[tuple[str, str], ...]

    @property
    def committee_code(self) -> str:
        return f"cppcc-{self.code}"


CITIES: tuple[City, ...] = (
    City(
        "230100",
        "哈尔滨市",
        "hrb",
        (
            ("230102", "道里区"),
            ("230103", "南岗区"),
            ("230104", "道外区"),
            ("230108", "平房区"),
            ("230109", "松北区"),
            ("230110", "香坊区"),
            ("230111", "呼兰区"),
            ("230112", "阿城区"),
            ("230113", "双城区"),
            ("230123", "依兰县"),
            ("230124", "方正县"),
            ("230125", "宾县"),
            ("230126", "巴彦县"),
            ("230127", "木兰县"),
            ("230128", "通河县"),
            ("230129", "延寿县"),
            ("230183", "尚志市"),
            ("230184", "五常市"),
        ),
    ),
    City(
        "230200",
        "齐齐哈尔市",
        "qqhr",
        (
            ("230202", "龙沙区"),
            ("230203", "建华区"),
            ("230204", "铁锋区"),
            ("230205", "昂昂溪区"),
            ("230206", "富拉尔基区"),
            ("230207", "碾子山区"),
            ("230208", "梅里斯达斡尔族区"),
            ("230221", "龙江县"),
            ("230223", "依安县"),
            ("230224", "泰来县"),
            ("230225", "甘南县"),
            ("230227", "富裕县"),
            ("230229", "克山县"),
            ("230230", "克东县"),
            ("230231", "拜泉县"),
            ("230281", "讷河市"),
        ),
    ),
    City(
        JIXI,
        "鸡西市",
        "jx",
        (
            ("230302", "鸡冠区"),
            ("230303", "恒山区"),
            ("230304", "滴道区"),
            ("230305", "梨树区"),
            ("230306", "城子河区"),
            ("230307", "麻山区"),
            ("230321", "鸡东县"),
            ("230381", "虎林市"),
            ("230382", "密山市"),
        ),
    ),
    City(
        "230400",
        "鹤岗市",
        "hg",
        (
            ("230402", "向阳区"),
            ("230403", "工农区"),
            ("230404", "南山区"),
            ("230405", "兴安区"),
            ("230406", "东山区"),
            ("230407", "兴山区"),
            ("230421", "萝北县"),
            ("230422", "绥滨县"),
        ),
    ),
    City(
        "230500",
        "双鸭山市",
        "sys",
        (
            ("230502", "尖山区"),
            ("230503", "岭东区"),
            ("230505", "四方台区"),
            ("230506", "宝山区"),
            ("230521", "集贤县"),
            ("230522", "友谊县"),
            ("230523", "宝清县"),
            ("230524", "饶河县"),
        ),
    ),
    City(
        "230600",
        "大庆市",
        "dq",
        (
            ("230602", "萨尔图区"),
            ("230603", "龙凤区"),
            ("230604", "让胡路区"),
            ("230605", "红岗区"),
            ("230606", "大同区"),
            ("230621", "肇州县"),
            ("230622", "肇源县"),
            ("230623", "林甸县"),
            ("230624", "杜尔伯特蒙古族自治县"),
        ),
    ),
    City(
        "230700",
        "伊春市",
        "yc",
        (
            ("230717", "伊美区"),
            ("230718", "乌翠区"),
            ("230719", "友好区"),
            ("230722", "嘉荫县"),
            ("230723", "汤旺县"),
            ("230724", "丰林县"),
            ("230725", "大箐山县"),
            ("230726", "南岔县"),
            ("230751", "金林区"),
            ("230781", "铁力市"),
        ),
    ),
    City(
        "230800",
        "佳木斯市",
        "jms",
        (
            ("230803", "向阳区"),
            ("230804", "前进区"),
            ("230805", "东风区"),
            ("230811", "郊区"),
            ("230822", "桦南县"),
            ("230826", "桦川县"),
            ("230828", "汤原县"),
            ("230881", "同江市"),
            ("230882", "富锦市"),
            ("230883", "抚远市"),
        ),
    ),
    City(
        "230900",
        "七台河市",
        "qth",
        (("230902", "新兴区"), ("230903", "桃山区"), ("230904", "茄子河区"), ("230921", "勃利县")),
    ),
    City(
        "231000",
        "牡丹江市",
        "mdj",
        (
            ("231002", "东安区"),
            ("231003", "阳明区"),
            ("231004", "爱民区"),
            ("231005", "西安区"),
            ("231025", "林口县"),
            ("231081", "绥芬河市"),
            ("231083", "海林市"),
            ("231084", "宁安市"),
            ("231085", "穆棱市"),
            ("231086", "东宁市"),
        ),
    ),
    City(
        "231100",
        "黑河市",
        "hh",
        (
            ("231102", "爱辉区"),
            ("231123", "逊克县"),
            ("231124", "孙吴县"),
            ("231181", "北安市"),
            ("231182", "五大连池市"),
            ("231183", "嫩江市"),
        ),
    ),
    City(
        "231200",
        "绥化市",
        "sh",
        (
            ("231202", "北林区"),
            ("231221", "望奎县"),
            ("231222", "兰西县"),
            ("231223", "青冈县"),
            ("231224", "庆安县"),
            ("231225", "明水县"),
            ("231226", "绥棱县"),
            ("231281", "安达市"),
            ("231282", "肇东市"),
            ("231283", "海伦市"),
        ),
    ),
    City(
        "232700",
        "大兴安岭地区",
        "dxal",
        (("232701", "漠河市"), ("232721", "呼玛县"), ("232722", "塔河县")),
    ),
)
CITY_BY_CODE = {c.code: c for c in CITIES}

# Special committees (专委会) every city committee has in the demo: (suffix, name, sectors).
SPECIAL_COMMITTEES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("edu", "教科卫体委员会", ("education", "medicine_health", "science_tech", "sports")),
    ("econ", "经济委员会", ("economy", "industry_commerce", "environment_resources")),
    ("agri", "农业和农村委员会", ("agriculture",)),
    ("soc", "社会和法制委员会", ("social_welfare", "women", "youth", "trade_union")),
    ("cult", "文化文史和学习委员会", ("culture_arts", "press_publishing", "social_sciences")),
)

# The sectors demo members come from, with weights (a city committee is mostly these).
SECTORS: tuple[tuple[str, int], ...] = (
    ("education", 14),
    ("medicine_health", 12),
    ("economy", 12),
    ("agriculture", 10),
    ("science_tech", 6),
    ("culture_arts", 6),
    ("industry_commerce", 6),
    ("social_welfare", 5),
    ("women", 4),
    ("youth", 4),
    ("trade_union", 4),
    ("press_publishing", 3),
    ("sports", 3),
    ("environment_resources", 3),
    ("social_sciences", 3),
    ("non_party", 3),
    ("cpc", 2),
)


def special_committee_of(sector: str) -> str | None:
    """The suffix of the special committee that guides a sector's members, if any."""
    for suffix, _name, sectors in SPECIAL_COMMITTEES:
        if sector in sectors:
            return suffix
    return None


# Government departments concerns are assigned to (承办单位), per city: (suffix, sectors).
DEPARTMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("education-bureau", ("education", "sports", "youth")),
    ("health-commission", ("medicine_health", "social_welfare")),
    ("agriculture-bureau", ("agriculture", "environment_resources")),
    ("commerce-bureau", ("economy", "industry_commerce", "science_tech")),
    ("housing-bureau", ()),  # everything else: heating, roads, old compounds
)
# Their Chinese names after the city's (鸡西市教育局), as the departments import registers them.
DEPARTMENT_NAMES: dict[str, str] = {
    "education-bureau": "教育局",
    "health-commission": "卫生健康委员会",
    "agriculture-bureau": "农业农村局",
    "commerce-bureau": "商务局",
    "housing-bureau": "住房和城乡建设局",
}


def department_for(city: City, sector: str) -> str:
    for suffix, sectors in DEPARTMENTS:
        if sector in sectors:
            return f"{city.short}-{suffix}"
    return f"{city.short}-housing-bureau"


# Sectors that have no festival in the seeded calendar get one here (the real date).
FESTIVALS: dict[str, list[tuple[str, int, int]]] = {
    "environment_resources": [("全国生态日", 8, 15)],
}
