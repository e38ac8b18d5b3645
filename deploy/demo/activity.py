"""A year of the programme, decided up front from a seed and a day: occasions declared, visits
made (on time, late or not at all), concerns raised online and in visits, and how far each
concern gets. Pure, like the directory, so a re-run asks the services for the same things.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from deploy.demo import people
from deploy.demo.directory import Directory, Member, Scale
from deploy.demo.places import JIXI, PROVINCE, SECTORS, department_for

CHANNELS = (
    ("face_to_face", 35),
    ("regular_work", 20),
    ("online", 20),
    ("service", 15),
    ("innovative", 10),
)
# How far a concern gets: the lifecycle.py driver walks it there through the API.
OUTCOMES = (
    ("closed", 44),
    ("proposal", 4),  # closed, then upgraded into a proposal (提案)
    ("reopened_closed", 5),  # dissatisfied once, assigned again, then closed
    ("reopened", 6),  # dissatisfied, waiting for the member to assign it again
    ("replied", 10),
    ("assigned", 12),
    ("accepted", 6),
    ("submitted", 6),
    ("rejected", 7),
)
DUE_DAYS = 30  # the visits service's default for occasions 1-3


@dataclass(frozen=True)
class Occasion:
    key: str
    kind: str  # policy_issued | leader_speech | congress_closed | plenary_upcoming
    title: str
    occurs_on: date
    sectors: tuple[str, ...]
    regions: tuple[str, ...]

    @property
    def due_on(self) -> date:
        return (
            self.occurs_on
            if self.kind == "plenary_upcoming"
            else self.occurs_on + timedelta(days=DUE_DAYS)
        )

    def obliges(self, m: Member) -> bool:
        return m.sector in self.sectors and any(_covers(r, m.region) for r in self.regions)


@dataclass(frozen=True)
class Concern:
    kind: str  # problem | suggestion | request | micro_suggestion
    title: str
    body: str
    outcome: str
    department: str
    due_in_days: int
    liaison: int | None = None  # index into the member's liaisons


@dataclass(frozen=True)
class Visit:
    key: str
    member: Member
    channel: str
    occurred_on: date
    liaisons: tuple[int, ...]
    people_reached: int
    talks: int
    summary: str
    occasion: str = "routine"
    source_key: str | None = None  # the occasion or circumstance it answers
    concerns: tuple[Concern, ...] = ()


@dataclass(frozen=True)
class OnlineConcern:
    key: str
    member: Member
    constituent: str  # the constituent's account (token subject)
    concern: Concern


@dataclass(frozen=True)
class Circumstance:
    key: str
    member: Member
    liaison: int
    kind: str  # life_change | request | hardship
    summary: str
    visit: Visit | None  # None: the member has not gone yet


@dataclass(frozen=True)
class Activity:
    today: date
    occasions: tuple[Occasion, ...]
    routine: tuple[Visit, ...]
    for_occasions: tuple[Visit, ...]
    online: tuple[OnlineConcern, ...]
    circumstances: tuple[Circumstance, ...] = field(default=())


def build_activity(seed: int, scale: Scale, directory: Directory, today: date) -> Activity:
    rng = random.Random(f"activity-{seed}-{today.isoformat()}")  # noqa: S311 (not secrets)
    occasions = declared_occasions(today)
    routine = tuple(v for m in directory.members for v in _routine(rng, scale, m, today))
    answered = tuple(
        v
        for o in occasions
        for m in directory.members
        if o.obliges(m)
        for v in _answer(rng, o, m, today)
    )
    online = tuple(
        OnlineConcern(
            f"online-{m.external_id}",
            m,
            f"demo-constituent-{m.external_id.lower()}",
            _concern(rng, m, "micro_suggestion"),
        )
        for m in directory.members
        if rng.random() < 0.125
    )
    circumstances = tuple(
        _circumstance(rng, m, today)
        for m in directory.members
        if m.city.code == JIXI and rng.random() < 1 / 15
    )
    return Activity(today, occasions, routine, answered, online, circumstances)


def declared_occasions(today: date) -> tuple[Occasion, ...]:
    """The year's occasions: provincial and Jixi policies, a speech, the two sessions' close
    (11 March) and the coming provincial plenary."""
    every = tuple(s for s, _ in SECTORS)
    close = date(today.year, 3, 11)
    if close > today:
        close = date(today.year - 1, 3, 11)

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    return (
        Occasion(
            "policy-rural-teachers",
            "policy_issued",
            "关于加强新时代乡村教师队伍建设的实施意见",
            ago(300),
            ("education",),
            (PROVINCE,),
        ),
        Occasion(
            "speech-science",
            "leader_speech",
            "关于加快发展新质生产力的重要讲话精神",
            ago(250),
            ("science_tech", "education", "economy"),
            (PROVINCE,),
        ),
        Occasion(
            "policy-primary-care",
            "policy_issued",
            "关于进一步健全基层医疗卫生服务体系的意见",
            ago(220),
            ("medicine_health",),
            (PROVINCE,),
        ),
        Occasion("two-sessions", "congress_closed", "全国两会闭幕", close, every, (PROVINCE,)),
        Occasion(
            "policy-black-soil",
            "policy_issued",
            "鸡西市黑土地保护利用实施方案",
            ago(150),
            ("agriculture", "environment_resources"),
            (JIXI,),
        ),
        Occasion(
            "policy-private-economy",
            "policy_issued",
            "关于促进民营经济发展壮大的若干措施",
            ago(75),
            ("economy", "industry_commerce"),
            (PROVINCE,),
        ),
        Occasion(
            "policy-after-school",
            "policy_issued",
            "鸡西市中小学课后服务提质增效工作方案",
            ago(20),
            ("education",),
            (JIXI,),
        ),
        Occasion(
            "plenary",
            "plenary_upcoming",
            "政协黑龙江省委员会全体会议",
            today + timedelta(days=45),
            every,
            (PROVINCE,),
        ),
    )


def _covers(scope: str, region: str) -> bool:
    prefix = scope[:2] if scope.endswith("0000") else scope[:4] if scope.endswith("00") else scope
    return region.startswith(prefix)


def _routine(rng: random.Random, scale: Scale, m: Member, today: date) -> list[Visit]:
    count = rng.randint(*scale.routine_visits)
    visits = []
    for k in range(count):
        v = _visit(
            rng, m, f"routine-{m.external_id}-{k}", today - timedelta(days=rng.randint(1, 364))
        )
        if rng.random() < 0.12 and v.liaisons:
            raised = _concern(rng, m, rng.choice(("problem", "suggestion", "request")))
            v = replace(v, concerns=(replace(raised, liaison=v.liaisons[0]),))
        visits.append(v)
    return visits


def _answer(rng: random.Random, o: Occasion, m: Member, today: date) -> list[Visit]:
    """On time (72 %), late (10 %) or never (18 %) once due; half done early if not yet due."""
    key = f"{o.key}-{m.external_id}"
    if o.kind == "plenary_upcoming":
        day = today if rng.random() < 0.5 else None
    elif o.due_on >= today:
        day = (
            o.occurs_on + timedelta(days=rng.randint(0, (today - o.occurs_on).days))
            if rng.random() < 0.55
            else None
        )
    else:
        roll = rng.random()
        if roll < 0.72:
            day = o.occurs_on + timedelta(days=rng.randint(0, DUE_DAYS))
        elif roll < 0.82 and (today - o.due_on).days >= 1:
            day = o.due_on + timedelta(days=rng.randint(1, min(20, (today - o.due_on).days)))
        else:
            day = None
    if day is None:
        return []
    return [replace(_visit(rng, m, key, day), occasion=o.kind, source_key=o.key)]


def _circumstance(rng: random.Random, m: Member, today: date) -> Circumstance:
    kind = rng.choice(("life_change", "request", "hardship"))
    liaison = rng.randrange(len(m.liaisons))
    key = f"circumstance-{m.external_id}"
    summary = {
        "life_change": "工作单位调整，家庭生活变化较大",
        "request": "提出改善社区养老服务的建议",
        "hardship": "家中遭遇火灾，生活暂时困难",
    }[kind]
    visit = None
    if rng.random() < 0.6:
        occasion = f"liaison_{kind}"
        v = _visit(rng, m, key, today)
        visit = replace(v, liaisons=(liaison,), occasion=occasion, channel="face_to_face")
    return Circumstance(key, m, liaison, kind, summary, visit)


def _visit(rng: random.Random, m: Member, key: str, day: date) -> Visit:
    channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
    liaisons = tuple(
        sorted(rng.sample(range(len(m.liaisons)), rng.randint(0, min(4, len(m.liaisons)))))
    )
    reached = max(len(liaisons), rng.randint(3, 40))
    return Visit(
        key=key,
        member=m,
        channel=channel,
        occurred_on=day,
        liaisons=liaisons,
        people_reached=reached,
        talks=rng.randint(0, min(reached, 6)),
        summary=rng.choice(people.VISIT_SUMMARIES[channel]),
    )


def _concern(rng: random.Random, m: Member, kind: str) -> Concern:
    title = people.concern_title(rng, m.sector)
    return Concern(
        kind=kind,
        title=title,
        body=f"{title}，群众反映较多，建议有关部门研究解决。",
        outcome=rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0],
        department=department_for(m.city, m.sector),
        due_in_days=rng.randint(10, 30),
    )
