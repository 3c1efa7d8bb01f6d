"""Demo star-rating cycles (星级评定) for the demo district 丰泽区.

**2025 年度** (published): criteria and levels set, every centre of the district applied,
street staff, residents' representatives and the centres themselves scored, the district
set the final levels (two of them other than the proposal, with a written reason) and
published, so the centres' public pages show a star level. The portal's own data start
in November 2025, so this first round has no computed criteria: residents' satisfaction
was surveyed by the representatives and the activities checked by the streets.

**2026 年度** (being scored, compared with 2025): most centres applied with a
self-assessment and evidence files (a photo and a PDF, made here and checked like
uploads), the computed criteria are filled from the portal's data, the representatives
are assigned, and some scores are in; the demo street login (丰泽街道) still has centres
to score, the demo representative has all of theirs, and the demo centre staff one
self-assessment, so each of them finds forms waiting. The district login can then start
the district rating, set final levels and publish. One centre rates itself far above
what the others gave it and one applies for two levels above its total: the review
screen's outliers.

Everything goes through the services of ``ratings/cycle.py``, ``cycle_assignments.py``
and ``evidence.py`` in the name of the person who would do it, so the audit trail is the
one real use leaves. The scoring needs more people than the demo's five logins: invented
accounts that do not log in (phones ``1360000xxxx``) staff the other centres (one per
street), score the other streets and represent two more communities. Afterwards the
cycles' dates are moved to when each step would have happened (the services stamp
"now"). Loaded once: a district that has a cycle of the demo's name keeps it as it is.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from centres import demo
from centres.models import Area, Centre
from portal.models import Notification, User
from stats.models import MonthlyFigures

from .cycle import (
    application_submit,
    criterion_add,
    cycle_create,
    cycle_open,
    cycle_publish,
    cycle_start_review,
    cycle_start_scoring,
    final_level_set,
    score_set,
    star_level_set,
)
from .cycle_assignments import representative_assign
from .evidence import evidence_add
from .models import Application, AuditEntry, Criterion, Cycle, Evidence, Score

DISTRICT = "丰泽区"
PHONE_PREFIX = "1360000"
PREVIOUS_NAME = "2025 年度党群服务中心星级评定"
CURRENT_NAME = "2026 年度党群服务中心星级评定"
UNUSABLE_PASSWORD = make_password(None)

Source, Measure = Criterion.Source, Criterion.Measure

# (name, max points, source, measure)
PREVIOUS_CRITERIA = [
    ("群众满意度测评", 25, Source.REPRESENTATIVES, ""),
    ("活动开展与错时延时服务", 25, Source.STREET, ""),
    ("镇街考核", 20, Source.STREET, ""),
    ("代表评议", 15, Source.REPRESENTATIVES, ""),
    ("自评（附佐证材料）", 15, Source.SELF, ""),
]
CURRENT_CRITERIA = [
    ("群众满意度", 20, Source.COMPUTED, Measure.SATISFACTION),
    ("活动开展达标", 15, Source.COMPUTED, Measure.ACTIVITIES_AGAINST_TARGET),
    ("错时延时服务", 10, Source.COMPUTED, Measure.AFTER_HOURS),
    ("差评整改及时率", 5, Source.COMPUTED, Measure.ON_TIME_RECTIFICATION),
    ("镇街考核", 20, Source.STREET, ""),
    ("代表评议", 15, Source.REPRESENTATIVES, ""),
    ("自评（附佐证材料）", 15, Source.SELF, ""),
]
# stars: (from a total of, reward in yuan)
LEVELS = {5: (90, 50_000), 4: (80, 30_000), 3: (70, 20_000), 2: (60, 10_000), 1: (0, 0)}
PREVIOUS_BUDGET = Decimal(500_000)
CURRENT_BUDGET = Decimal(700_000)

# The invented accounts the district login opens: (phone suffix, name, role, area path
# under the district). Centre staff get the centres of their street that have no staff.
INVENTED_STREET_STAFF = {
    "东湖街道": ("0101", "王建国"),
    "城东街道": ("0102", "李秋萍"),
    "泉秀街道": ("0103", "吴海燕"),
    "东海街道": ("0104", "许志强"),
    "北峰街道": ("0105", "苏丽娟"),
    "华大街道": ("0106", "郭明辉"),
}
INVENTED_CENTRE_STAFF = {
    "丰泽街道": ("0201", "庄雅婷"),
    "东湖街道": ("0202", "洪晓东"),
    "城东街道": ("0203", "杨美玲"),
    "泉秀街道": ("0204", "蔡伟杰"),
    "东海街道": ("0205", "曾丽华"),
    "北峰街道": ("0206", "施志明"),
    "华大街道": ("0207", "黄淑贞"),
}
INVENTED_REPRESENTATIVES = [
    ("0301", "林国栋", ("东湖街道", "圣湖社区")),
    ("0302", "陈美华", ("泉秀街道", "刺桐社区")),
]

# The 2026 round: who does not apply, which centres the demo representative (05)
# scores, which the demo street login (03) has already scored, and the two outliers.
NOT_APPLYING = {"donghai-shopping-area", "jinxing-community"}
DEMO_REPRESENTATIVE_CENTRES = {"fengze-community", "fengze-street", "dongmei-community", "shenghu-community"}
DEMO_STREET_SCORED = {"fengze-street", "dongmei-community"}
DEMO_CENTRE_STAFF_UNSCORED = {"fengze-community"}  # the demo centre staff's self-assessment still to give
OVERRATED_SELF = "baozhou-community"  # full marks for itself, low from everyone else
OVERREACHING = "zhaofeng-community"  # applies for five stars with a three-star record
# The 2025 round: final levels other than the proposal, and why.
PREVIOUS_CHANGES = {
    "quanxiu-new-employment": (
        +1,
        "承担全区新就业群体服务阵地建设试点，骑手驿站服务成效突出，经区委组织部研究上调一档。",
    ),
    "donghai-business-tower": (-1, "年度内消防检查发现安全隐患并被通报，整改期间按评定办法下调一档。"),
}

SELF_ASSESSMENT = (
    "{name}对照评定标准逐项自查：{period}共开展各类活动{activities}场，其中错时延时服务{after_hours}场；"
    "“1+6+X”功能布局完整，{strength}。{weakness}，下一步将{plan}。"
)
STRENGTHS = [
    "长者助餐和四点半课堂常态化运行",
    "与辖区共建单位联合开展志愿服务，群众参与度高",
    "周末和节假日错时开放，方便上班族办事",
    "建立居民议事会，每月收集并办结群众诉求",
    "红色宣讲、健康义诊等品牌活动深受欢迎",
]
WEAKNESSES = [
    "场地面积有限，大型活动需借用周边场所",
    "年轻居民参与活动比例偏低",
    "部分活动宣传不够及时",
    "专职社工人手紧张，夜间服务依靠志愿者",
]
PLANS = [
    "拓展共建资源、丰富服务项目",
    "加强线上预约和活动预告",
    "完善志愿者排班，稳定错时延时服务",
    "针对差评问题建立整改回访台账",
]
STREET_NOTES = ["台账规范，资料齐全", "阵地管理到位", "活动记录完整", "需加强台账管理", "开放时间落实较好"]
REPRESENTATIVE_NOTES = ["居民反映服务热情", "活动贴近居民需求", "工作人员态度好", "希望增加周末活动", ""]


@dataclass
class People:
    district_staff: User
    street_staff: dict[int, User] = field(default_factory=dict)  # street id → user
    centre_staff: dict[int, User] = field(default_factory=dict)  # centre id → user
    representatives: list[User] = field(default_factory=list)  # the demo login first
    demo_street_staff: User | None = None


def load_demo_cycles(*, log=None) -> int:
    """Load the demo district's two cycles where they are missing; returns how many
    cycles were made."""
    log = log or (lambda message: None)
    district = Area.objects.filter(name=DISTRICT, level=Area.Level.DISTRICT).first()
    by = _demo_login("district_staff")
    if district is None or by is None or by.area_id != district.pk:
        log("Star ratings: no demo district or district login, no cycles")
        return 0
    existing = {cycle.name: cycle for cycle in Cycle.objects.filter(district=district)}
    if PREVIOUS_NAME in existing and CURRENT_NAME in existing:
        return 0
    centres = list(Centre.objects.filter(district=district).select_related("area").order_by("slug"))
    people = _people(district, by, centres)
    made = 0
    previous = existing.get(PREVIOUS_NAME)
    if previous is None:
        previous = _previous_cycle(district, people, centres)
        made += 1
    if CURRENT_NAME not in existing:
        _current_cycle(district, people, centres, previous)
        made += 1
    log(f"Star ratings: {made} demo cycles")
    return made


# --- People ---------------------------------------------------------------------------


def _demo_login(role: str) -> User | None:
    phone = next(login["phone"] for login in demo.DEMO_LOGINS if login["role"] == role)
    return User.objects.filter(phone=phone, role=role, is_active=True).first()


def _account(suffix: str, name: str, role: str, *, area=None, centres=()) -> User:
    """An invented account that does not log in (as bookings/demo.py's residents):
    ``staff_account_create`` would hash a password for each, seconds of the load."""
    phone = PHONE_PREFIX + suffix
    user = User.objects.filter(phone=phone).first()
    if user is None:
        user = User(phone=phone, name=name, role=role, area=area, password=UNUSABLE_PASSWORD)
        user.full_clean()
        user.save()
        user.centres.set(centres)
    return user


def _people(district: Area, by: User, centres: list[Centre]) -> People:
    people = People(district_staff=by)
    streets = {street.name: street for street in Area.objects.filter(parent=district, level=Area.Level.STREET)}
    demo_street = _demo_login("street_staff")
    for street in streets.values():
        if demo_street is not None and demo_street.area_id == street.pk:
            people.street_staff[street.pk] = people.demo_street_staff = demo_street
        elif street.name in INVENTED_STREET_STAFF:
            suffix, name = INVENTED_STREET_STAFF[street.name]
            people.street_staff[street.pk] = _account(suffix, name, User.Role.STREET_STAFF, area=street)

    staffed = {}
    for user in User.objects.filter(role=User.Role.CENTRE_STAFF, is_active=True, centres__in=centres).order_by("pk"):
        for centre_id in user.centres.values_list("pk", flat=True):
            staffed.setdefault(centre_id, user)
    for street_name, (suffix, name) in INVENTED_CENTRE_STAFF.items():
        street = streets.get(street_name)
        unstaffed = [c for c in centres if street and c.street_id == street.pk and c.pk not in staffed]
        if unstaffed:
            user = _account(suffix, name, User.Role.CENTRE_STAFF, centres=unstaffed)
            for centre in unstaffed:
                staffed[centre.pk] = user
    people.centre_staff = staffed

    representative = _demo_login("representative")
    if representative is not None:
        people.representatives.append(representative)
    for suffix, name, (street_name, community_name) in INVENTED_REPRESENTATIVES:
        community = Area.objects.filter(name=community_name, parent__name=street_name, parent__parent=district).first()
        if community is not None:
            people.representatives.append(
                _account(suffix, name, User.Role.REPRESENTATIVE, area=community),
            )
    return people


# --- The cycles -----------------------------------------------------------------------


def _prepare(district: Area, by: User, *, name, start, end, budget, previous, criteria) -> Cycle:
    cycle = cycle_create(
        district=district, by=by, name=name, period_start=start, period_end=end, budget=budget, previous=previous
    )
    for criterion_name, points, source, measure in criteria:
        criterion_add(
            cycle=cycle, by=by, name=criterion_name, max_points=Decimal(points), source=source, measure=measure
        )
    for stars, (min_score, reward) in LEVELS.items():
        star_level_set(cycle=cycle, by=by, stars=stars, min_score=Decimal(min_score), reward=Decimal(reward))
    return cycle_open(cycle=cycle, by=by)


def _quality(seed: str, centre: Centre) -> float:
    """How good a centre is, 0.5–0.97, the same on every machine and in both rounds
    (a little better or worse in 2026)."""
    rng = random.Random(f"{seed}-{centre.slug}")
    return rng.triangular(0.52, 0.97, 0.82)


def _points(rng: random.Random, share: float, max_points) -> Decimal:
    """``share`` of ``max_points`` with some noise, to the half point."""
    share = min(max(share + rng.uniform(-0.06, 0.06), 0.3), 1.0)
    return Decimal(round(share * float(max_points) * 2) / 2).quantize(Decimal("0.1"))


def _stars_for(total: float) -> int:
    return max(stars for stars, (min_score, _reward) in LEVELS.items() if total >= min_score)


def _assess(rng: random.Random, centre: Centre, period: str, activities: int, after_hours: int) -> str:
    return SELF_ASSESSMENT.format(
        name=centre.name,
        period=period,
        activities=activities,
        after_hours=after_hours,
        strength=rng.choice(STRENGTHS),
        weakness=rng.choice(WEAKNESSES),
        plan=rng.choice(PLANS),
    )


def _assignments(people: People, centres: list[Centre], demo_centres: set[str]) -> dict[int, list[User]]:
    """Which representatives score each centre: the demo login its centres, the two
    invented representatives every centre in turn (two for the centres the demo login
    does not score)."""
    demo_login, *others = people.representatives or [None]
    assigned: dict[int, list[User]] = {}
    for index, centre in enumerate(centres):
        if demo_login is not None and centre.slug in demo_centres:
            assigned[centre.pk] = [demo_login] + others[index % len(others) :][:1] if others else [demo_login]
        else:
            assigned[centre.pk] = list(others)
    return assigned


def _previous_cycle(district: Area, people: People, centres: list[Centre]) -> Cycle:
    by = people.district_staff
    cycle = _prepare(
        district,
        by,
        name=PREVIOUS_NAME,
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 12, 31),
        budget=PREVIOUS_BUDGET,
        previous=None,
        criteria=PREVIOUS_CRITERIA,
    )
    rng = random.Random(2025)
    applying = [c for c in centres if c.pk in people.centre_staff]
    qualities = {c.pk: _quality("2025", c) for c in applying}
    applications = {}
    for centre in applying:
        quality = qualities[centre.pk]
        applications[centre.pk] = application_submit(
            cycle=cycle,
            centre=centre,
            by=people.centre_staff[centre.pk],
            applied_stars=min(5, _stars_for(quality * 100 + rng.uniform(0, 9))),
            self_assessment=_assess(
                rng, centre, "2025 年", rng.randint(120, 520), rng.randint(40, 260) if centre.opens_evenings else 0
            ),
        )
    assigned = _assignments(people, applying, DEMO_REPRESENTATIVE_CENTRES)
    for centre in applying:
        for representative in assigned[centre.pk]:
            representative_assign(cycle=cycle, by=by, representative=representative, centre=centre)
    cycle = cycle_start_scoring(cycle=cycle, by=by)
    criteria = list(cycle.criteria.all())
    for centre in applying:
        application, quality = applications[centre.pk], qualities[centre.pk]
        for criterion in criteria:
            for scorer, share in _scorers(people, centre, criterion, quality, assigned):
                score_set(
                    application=application,
                    criterion=criterion,
                    by=scorer,
                    points=_points(rng, share, criterion.max_points),
                    note=_note(rng, criterion),
                )
    cycle = cycle_start_review(cycle=cycle, by=by)
    for application in cycle.applications.select_related("centre"):
        change = PREVIOUS_CHANGES.get(application.centre.slug)
        if change is None or application.proposed_stars is None:
            continue
        step, reason = change
        stars = min(5, max(1, application.proposed_stars + step))
        if stars != application.proposed_stars:
            final_level_set(application=application, by=by, stars=stars, reason=reason)
    cycle = cycle_publish(cycle=cycle, by=by)
    _backdate(cycle, PREVIOUS_SCHEDULE)
    return cycle


def _scorers(
    people: People, centre: Centre, criterion: Criterion, quality: float, assigned
) -> list[tuple[User, float]]:
    """(who scores ``criterion`` of ``centre``, the share of its points they would give)."""
    if criterion.source == Source.STREET:
        scorer = people.street_staff.get(centre.street_id)
        return [(scorer, quality)] if scorer else []
    if criterion.source == Source.REPRESENTATIVES:
        return [(representative, quality + 0.02) for representative in assigned.get(centre.pk, [])]
    if criterion.source == Source.SELF:
        return [(people.centre_staff[centre.pk], quality + 0.08)]
    return []


def _note(rng: random.Random, criterion: Criterion) -> str:
    if criterion.source == Source.STREET:
        return rng.choice(STREET_NOTES)
    if criterion.source == Source.REPRESENTATIVES:
        return rng.choice(REPRESENTATIVE_NOTES)
    return ""


def _current_cycle(district: Area, people: People, centres: list[Centre], previous: Cycle) -> Cycle:
    by = people.district_staff
    cycle = _prepare(
        district,
        by,
        name=CURRENT_NAME,
        start=dt.date(2025, 12, 1),
        end=dt.date(2026, 11, 30),
        budget=CURRENT_BUDGET,
        previous=previous,
        criteria=CURRENT_CRITERIA,
    )
    rng = random.Random(2026)
    applying = [c for c in centres if c.pk in people.centre_staff and c.slug not in NOT_APPLYING]
    figures = _figures(district, cycle.period_start, cycle.period_end)
    qualities = {c.pk: min(0.97, _quality("2025", c) + random.Random(c.slug).uniform(-0.05, 0.05)) for c in applying}
    font = _font()
    applications = {}
    for centre in applying:
        quality = qualities[centre.pk]
        staff = people.centre_staff[centre.pk]
        wanted = _stars_for(quality * 100 + rng.uniform(0, 8))
        if centre.slug in (OVERRATED_SELF, OVERREACHING):
            wanted = 5
        activities, after_hours = figures.get(centre.pk, (0, 0))
        application = application_submit(
            cycle=cycle,
            centre=centre,
            by=staff,
            applied_stars=wanted,
            self_assessment=_assess(rng, centre, "2025 年 12 月至 2026 年 11 月", activities, after_hours),
        )
        evidence_add(
            application=application,
            by=staff,
            upload=_photo(centre, rng, font),
            caption=f"{centre.name}活动现场照片",
        )
        evidence_add(
            application=application,
            by=staff,
            upload=_report(centre, activities, after_hours, font),
            caption="年度活动台账及自评报告",
        )
        applications[centre.pk] = application
    assigned = _assignments(people, applying, DEMO_REPRESENTATIVE_CENTRES)
    for centre in applying:
        for representative in assigned[centre.pk]:
            representative_assign(cycle=cycle, by=by, representative=representative, centre=centre)
    cycle = cycle_start_scoring(cycle=cycle, by=by)  # fills the computed criteria

    demo_representative = people.representatives[0] if people.representatives else None
    for centre in applying:
        application, quality = applications[centre.pk], qualities[centre.pk]
        for criterion in cycle.criteria.exclude(source=Source.COMPUTED):
            for scorer, share in _scorers(people, centre, criterion, quality, assigned):
                if not _scores_now(people, centre, criterion, scorer, demo_representative):
                    continue
                if centre.slug == OVERRATED_SELF:
                    share = 1.0 if criterion.source == Source.SELF else 0.2
                score_set(
                    application=application,
                    criterion=criterion,
                    by=scorer,
                    points=_points(rng, share, criterion.max_points) if share < 1 else criterion.max_points,
                    note=_note(rng, criterion),
                )
    _backdate(cycle, CURRENT_SCHEDULE)
    return cycle


def _scores_now(people: People, centre: Centre, criterion: Criterion, scorer: User, demo_representative) -> bool:
    """Whether this score is in already: the demo logins leave some for the visitor."""
    if scorer == demo_representative:
        return False
    if scorer == people.demo_street_staff:
        return centre.slug in DEMO_STREET_SCORED
    if criterion.source == Source.SELF:
        return centre.slug not in DEMO_CENTRE_STAFF_UNSCORED
    return True


def _figures(district: Area, start: dt.date, end: dt.date) -> dict[int, tuple[int, int]]:
    rows = (
        MonthlyFigures.objects.filter(
            level=MonthlyFigures.Level.CENTRE, district=district, month__gte=start.replace(day=1), month__lte=end
        )
        .values("centre_id")
        .annotate(activities=Sum("activities_held"), after_hours=Sum("after_hours_sessions"))
    )
    return {row["centre_id"]: (row["activities"] or 0, row["after_hours"] or 0) for row in rows}


# --- Evidence files -------------------------------------------------------------------

CJK_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
]


def _font():
    path = next((path for path in CJK_FONTS if Path(path).exists()), None)
    return ImageFont.truetype(path, 26) if path else None


def _text(draw, xy, text: str, font, fill) -> None:
    # Without a CJK font Pillow cannot draw the Chinese text: a plain bar stands in.
    if font is None:
        draw.rectangle([xy[0], xy[1] + 6, xy[0] + 12 * len(text), xy[1] + 18], fill=fill)
    else:
        draw.text(xy, text, font=font, fill=fill)


def _photo(centre: Centre, rng: random.Random, font) -> SimpleUploadedFile:
    """A small PNG "photo" of an activity: a room, people, a banner with the centre's name."""
    image = Image.new("RGB", (640, 400), (238, 232, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 280, 640, 400], fill=(190, 150, 110))
    draw.rectangle([60, 30, 580, 90], fill=(200, 22, 29))
    _text(draw, (80, 44), centre.name, font, (255, 223, 120))
    for index in range(rng.randint(5, 9)):
        x = 50 + index * 65 + rng.randint(-10, 10)
        colour = rng.choice([(40, 90, 160), (60, 140, 100), (220, 120, 40), (120, 60, 140)])
        draw.ellipse([x, 200, x + 36, 236], fill=(240, 200, 170))
        draw.rectangle([x - 4, 236, x + 40, 320], fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def _report(centre: Centre, activities: int, after_hours: int, font) -> SimpleUploadedFile:
    """A one-page PDF: the centre's activity ledger summary for the year."""
    page = Image.new("RGB", (620, 877), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    _text(draw, (60, 60), "2026 年度星级评定自评材料", font, (20, 20, 20))
    _text(draw, (60, 120), centre.name, font, (20, 20, 20))
    lines = [
        "评定周期：2025.12.01—2026.11.30",
        f"开展活动：{activities} 场",
        f"错时延时服务：{after_hours} 场",
        "附：活动签到表、照片、居民意见簿（存档备查）",
    ]
    for index, line in enumerate(lines):
        _text(draw, (60, 200 + index * 50), line, font, (60, 60, 60))
    draw.line([(60, 430), (560, 430)], fill=(200, 22, 29), width=3)
    buffer = io.BytesIO()
    page.save(buffer, format="PDF", resolution=72)
    return SimpleUploadedFile("report.pdf", buffer.getvalue(), content_type="application/pdf")


# --- Dates ----------------------------------------------------------------------------

# When each kind of step happened, for the audit trail: (first day, last day) over which
# the entries of that action are spread in their order.
PREVIOUS_SCHEDULE = {
    "prepare": (dt.date(2025, 12, 8), dt.date(2025, 12, 10)),
    "cycle_opened": (dt.date(2025, 12, 15), dt.date(2025, 12, 15)),
    "apply": (dt.date(2026, 1, 5), dt.date(2026, 1, 16)),
    "representative_assigned": (dt.date(2026, 1, 19), dt.date(2026, 1, 19)),
    "scoring_started": (dt.date(2026, 1, 20), dt.date(2026, 1, 20)),
    "score_set": (dt.date(2026, 1, 21), dt.date(2026, 2, 10)),
    "review_started": (dt.date(2026, 2, 24), dt.date(2026, 2, 24)),
    "final_level_set": (dt.date(2026, 2, 26), dt.date(2026, 2, 27)),
    "published": (dt.date(2026, 3, 3), dt.date(2026, 3, 3)),
}
CURRENT_SCHEDULE = {
    "prepare": (dt.date(2026, 10, 26), dt.date(2026, 10, 27)),
    "cycle_opened": (dt.date(2026, 10, 28), dt.date(2026, 10, 28)),
    "apply": (dt.date(2026, 11, 2), dt.date(2026, 11, 11)),
    "representative_assigned": (dt.date(2026, 11, 12), dt.date(2026, 11, 12)),
    "scoring_started": (dt.date(2026, 11, 16), dt.date(2026, 11, 16)),
    "score_set": (dt.date(2026, 11, 17), dt.date(2026, 11, 21)),
}
PHASES = {
    "cycle_created": "prepare",
    "criterion_added": "prepare",
    "level_set": "prepare",
    "application_submitted": "apply",
    "evidence_added": "apply",
    "computed_score_set": "scoring_started",
}


def _backdate(cycle: Cycle, schedule: dict) -> None:
    """Move the cycle's timestamps from "now" (the services stamp the moment of the
    call) to office hours of the days each step would have taken. Only the times change:
    every row and audit entry is the services' own."""
    tz = timezone.get_current_timezone()
    entries = list(cycle.audit_entries.order_by("pk"))
    by_phase: dict[str, list[AuditEntry]] = {}
    for entry in entries:
        by_phase.setdefault(PHASES.get(entry.action, entry.action), []).append(entry)
    for phase, phase_entries in by_phase.items():
        first, last = schedule.get(phase, (timezone.localdate(), timezone.localdate()))
        days = (last - first).days + 1
        per_day = -(-len(phase_entries) // days)
        for index, entry in enumerate(phase_entries):
            day = first + dt.timedelta(days=index // per_day)
            office_hours = dt.datetime.combine(day, dt.time(9), tzinfo=tz)
            entry.at = office_hours + dt.timedelta(seconds=(index % per_day) * (8 * 3600 // per_day))
    AuditEntry.objects.bulk_update(entries, ["at"])
    start = by_phase.get("prepare", entries[:1])[0].at
    cycle.created_at = start
    if cycle.published_at:
        cycle.published_at = by_phase["published"][-1].at
    Cycle.objects.filter(pk=cycle.pk).update(created_at=cycle.created_at, published_at=cycle.published_at)
    submitted = {entry.subject: entry.at for entry in by_phase.get("apply", []) if entry.action != "evidence_added"}
    applications = list(cycle.applications.select_related("centre"))
    for application in applications:
        application.submitted_at = submitted.get(application.centre.name, application.submitted_at)
    Application.objects.bulk_update(applications, ["submitted_at"])
    for evidence in Evidence.objects.filter(application__cycle=cycle).select_related("application__centre"):
        Evidence.objects.filter(pk=evidence.pk).update(
            uploaded_at=submitted.get(evidence.application.centre.name, evidence.uploaded_at)
        )
    scored = {}
    for entry in by_phase.get("score_set", []) + by_phase.get("scoring_started", []):
        scored.setdefault(entry.subject, entry.at)
    scores = list(Score.objects.filter(application__cycle=cycle).select_related("application__centre", "criterion"))
    for score in scores:
        score.scored_at = scored.get(f"{score.application.centre.name} · {score.criterion.name}", score.scored_at)
    Score.objects.bulk_update(scores, ["scored_at"])
    _backdate_messages(cycle, by_phase)


def _backdate_messages(cycle: Cycle, by_phase: dict[str, list[AuditEntry]]) -> None:
    """The cycle's messages to its scorers (invited, scoring started) dated when those
    steps were taken; those of a published cycle read long ago, not new in the inbox."""
    read = cycle.status == Cycle.Status.PUBLISHED
    for prefix, action in (
        (f"star-invited-{cycle.pk}-", "representative_assigned"),
        (f"star-scoring-{cycle.pk}-", "scoring_started"),
    ):
        entries = [entry for entries in by_phase.values() for entry in entries if entry.action == action]
        if not entries:
            continue
        sent_at = min(entry.at for entry in entries)
        Notification.objects.filter(dedupe_key__startswith=prefix).update(
            created_at=sent_at, read_at=sent_at if read else None
        )
