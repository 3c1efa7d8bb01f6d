"""The benchmark's data: 500 centres in one city, made through the services.

Three districts of ten streets/towns each, fourteen communities or villages per street:
420 community and village centres, 30 street/town centres and 50 others (parks, office
buildings, shopping areas, enterprises, new-employment stations). Opening hours mix the
usual weekday hours with a lunch break, extended evenings, staggered weekends, public
holidays, 365-day centres and by-appointment evenings; every centre has 4–6 service
functions and 3 rooms, and about a third have date exceptions in the coming weeks.

The choices are drawn from a seeded random generator, so every load makes the same
centres. Loading is idempotent: an area or a centre whose slug exists is left as it is,
so an interrupted load resumes where it stopped.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from activities.models import Activity, Occurrence, Partner, Series
from activities.recurrence import PlannedSession, plan_series
from centres import services
from centres.hours import CentreHours
from centres.models import Area, Centre, DateException, Day, OpeningPeriod, ServiceFunctionCode, ServiceKind

CENTRE_COUNT = 500
CITY = "泉州市"
SEED = 20261122

# district: "street-or-town:pinyin ..."; a 镇 (town) has villages, a 街道 (street) communities.
DISTRICTS = {
    "鲤城区": "开元街道:kaiyuan 鲤中街道:lizhong 海滨街道:haibin 临江街道:linjiang 浮桥街道:fuqiao "
    "江南街道:jiangnan 金龙街道:jinlong 常泰街道:changtai 南门街道:nanmen 西街街道:xijie",
    "丰泽区": "东海街道:donghai 城东街道:chengdong 华大街道:huada 东湖街道:donghu 丰泽街道:fengzejd "
    "泉秀街道:quanxiu 清源街道:qingyuan 北峰街道:beifeng 田安街道:tianan 津头街道:jintou",
    "洛江区": "万安街道:wanan 双阳街道:shuangyang 桥南街道:qiaonan 紫山街道:zishan 河市镇:heshi "
    "马甲镇:majia 罗溪镇:luoxi 虹山镇:hongshan 洛阳镇:luoyang 仙塘镇:xiantang",
}
COMMUNITIES_PER_STREET = 14
COMMUNITY_STEMS = (
    "新华:xinhua 中山:zhongshan 桂坛:guitan 象峰:xiangfeng 凤凰:fenghuang 文化:wenhua 胜利:shengli 和平:heping "
    "幸福:xingfu 东升:dongsheng 西湖:xihu 南星:nanxing 北门:beimen 清风:qingfeng 明月:mingyue 书院:shuyuan "
    "金山:jinshan 玉泉:yuquan 龙湖:longhu 状元:zhuangyuan 通政:tongzheng 聚宝:jubao 富美:fumei 后城:houcheng "
    "温陵:wenling 刺桐:citong 笋江:sunjiang 梅山:meishan 涂山:tushan 承天:chengtian 崇福:chongfu 少林:shaolin "
    "宝山:baoshan 华侨:huaqiao 锦绣:jinxiu 安吉:anji 仁风:renfeng 育贤:yuxian 丰盛:fengsheng 云谷:yungu"
)
ROADS = ["中山路", "温陵路", "刺桐路", "泉秀路", "津淮街", "丰泽街", "田安路", "东街", "新华路", "江滨路"]

# The 50 centres that hang from a street rather than a community: (kind, name pattern).
OTHER_KINDS = [
    (Centre.Kind.PARK, "{street}科创产业园党群服务中心"),
    (Centre.Kind.BUILDING, "{street}商务大厦党群服务站"),
    (Centre.Kind.COMMERCIAL, "{street}商圈党群服务中心"),
    (Centre.Kind.ENTERPRISE, "{street}纺织集团党群服务中心"),
    (Centre.Kind.NEW_EMPLOYMENT, "{street}新就业群体暖心驿站"),
]

FUNCTION_TEXT = {
    ServiceFunctionCode.ELDERCARE: "长者食堂午餐11:30开餐，助浴、理发每周二上门。",
    ServiceFunctionCode.CHILDCARE: "四点半课堂，周一至周五16:30–18:30，寒暑假托管班。",
    ServiceFunctionCode.MEDICAL: "家庭医生每周三坐诊，健康小屋可自助测血压、血糖。",
    ServiceFunctionCode.CULTURE_SPORTS: "舞蹈、书法、南音兴趣班，乒乓球室全天开放。",
    ServiceFunctionCode.DAILY_LIFE: "小家电维修、磨刀配钥匙，每月第一个周六集中服务。",
    ServiceFunctionCode.AFFAIRS: "社保、医保、居住证等27项事项就近办理。",
}
OWN_FUNCTIONS = [
    ("家风馆", "讲述本地好家风故事，可预约参观。"),
    ("法律服务站", "律师每周四下午坐班，免费法律咨询。"),
    ("红色书屋", "党史图书三千余册，周末开展亲子阅读。"),
    ("志愿服务驿站", "志愿者报名、积分兑换。"),
]
ROOMS = [
    ("多功能活动室", 60, "讲座、培训、文艺排练"),
    ("党员活动室", 30, "组织生活会、主题党日"),
    ("阅览室", 20, "图书借阅、自习"),
    ("议事协商室", 15, "居民议事、调解"),
    ("舞蹈室", 25, "广场舞、瑜伽"),
    ("长者食堂", 40, "老年助餐"),
    ("儿童之家", 20, "四点半课堂、亲子活动"),
    ("健康小屋", 6, "自助体检、健康咨询"),
    ("共享会议室", 12, "可预约借用"),
]

WORKDAYS = range(Day.MONDAY, Day.SATURDAY)
WEEKEND = (Day.SATURDAY, Day.SUNDAY)


def _t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _periods(days, kind, *spans):
    return [{"day": day, "kind": kind, "opens": _t(a), "closes": _t(b)} for day in days for a, b in spans]


def _hours(profile: str) -> list[dict]:
    """Weekly periods for one of the hours profiles."""
    weekday = _periods(WORKDAYS, ServiceKind.REGULAR, ("08:30", "12:00"), ("14:30", "17:30"))
    evenings = _periods(WORKDAYS, ServiceKind.EXTENDED, ("17:30", "21:00"))
    weekends = _periods(WEEKEND, ServiceKind.STAGGERED, ("09:00", "12:00"), ("14:30", "17:30"))
    holidays = _periods([Day.HOLIDAY], ServiceKind.STAGGERED, ("09:00", "12:00"))
    if profile == "weekdays":
        return weekday
    if profile == "evenings":
        return weekday + evenings
    if profile == "weekends":
        return weekday + weekends + holidays
    if profile == "evenings_weekends":
        return weekday + evenings + weekends
    if profile == "all_year":
        return _periods(Day.values, ServiceKind.REGULAR, ("08:00", "12:00"), ("14:00", "18:00")) + _periods(
            Day.values, ServiceKind.EXTENDED, ("18:00", "22:00")
        )
    if profile == "appointment":
        return weekday + _periods(Day.values, ServiceKind.APPOINTMENT, ("19:00", "21:00"))
    raise ValueError(profile)


HOURS_PROFILES = [
    ("weekdays", 25),
    ("evenings", 25),
    ("weekends", 20),
    ("evenings_weekends", 15),
    ("all_year", 10),
    ("appointment", 5),
]


@dataclass(frozen=True)
class CentrePlan:
    slug: str
    name: str
    kind: str
    area_key: tuple[str, ...]  # (district,), (district, street) or (district, street, community)


def plan() -> tuple[list[tuple[str, ...]], list[CentrePlan]]:
    """The areas (as name paths) and the 500 centres, the same every time."""
    rng = random.Random(SEED)
    areas: list[tuple[str, ...]] = []
    centres: list[CentrePlan] = []
    streets = []
    stems = [tuple(pair.split(":")) for pair in COMMUNITY_STEMS.split()]
    for district, district_streets in DISTRICTS.items():
        areas.append((district,))
        for street, street_py in (pair.split(":") for pair in district_streets.split()):
            areas.append((district, street))
            streets.append((district, street, street_py))
            suffix, kind = ("村", Centre.Kind.VILLAGE) if street.endswith("镇") else ("社区", Centre.Kind.COMMUNITY)
            for stem, stem_py in rng.sample(stems, COMMUNITIES_PER_STREET):
                community = f"{stem}{suffix}"
                areas.append((district, street, community))
                name = f"{community}党群服务中心"
                centres.append(CentrePlan(f"{street_py}-{stem_py}", name, kind, (district, street, community)))
            centres.append(
                CentrePlan(f"{street_py}-centre", f"{street}党群服务中心", Centre.Kind.STREET, (district, street))
            )
    for index in range(CENTRE_COUNT - len(centres)):
        district, street, street_py = streets[index % len(streets)]
        kind, pattern = OTHER_KINDS[(index * 3 + index // len(streets)) % len(OTHER_KINDS)]
        short = street.removesuffix("街道").removesuffix("镇")
        centres.append(
            CentrePlan(f"{street_py}-{kind.replace('_', '-')}", pattern.format(street=short), kind, (district, street))
        )
    assert len(centres) == CENTRE_COUNT and len({c.slug for c in centres}) == CENTRE_COUNT  # noqa: S101
    return areas, centres


def _ensure_areas(paths: list[tuple[str, ...]]) -> dict[tuple[str, ...], Area]:
    known: dict[tuple[str, ...], Area] = {}
    for area in Area.objects.select_related("parent__parent"):
        path = tuple(a.name for a in (area.parent and area.parent.parent, area.parent, area) if a is not None)
        known[path] = area
    levels = [Area.Level.DISTRICT, Area.Level.STREET, Area.Level.COMMUNITY]
    for path in paths:
        if path not in known:
            known[path] = services.area_create(
                name=path[-1],
                level=levels[len(path) - 1],
                parent=known[path[:-1]] if len(path) > 1 else None,
                city=CITY if len(path) == 1 else "",
            )
    return known


def _create_centre(plan: CentrePlan, area: Area, rng: random.Random, today: dt.date) -> Centre:
    district, street = plan.area_key[0], plan.area_key[1]
    centre = services.centre_create(
        name=plan.name,
        slug=plan.slug,
        area=area,
        kind=plan.kind,
        address=f"{CITY}{district}{street}{rng.choice(ROADS)}{rng.randint(1, 399)}号",
        floor_area=rng.randrange(300, 2500, 10),
        phone=f"0595-2{rng.randint(2000000, 8999999)}",
        introduction=(
            f"{plan.name}面积宽敞，设有党员活动、长者助餐、儿童托管等功能区。\n"
            "中心坚持“15分钟服务圈”，欢迎居民群众前来办事、参加活动。"
        ),
        is_published=rng.random() > 0.02,
    )
    profile = rng.choices([p for p, _ in HOURS_PROFILES], weights=[w for _, w in HOURS_PROFILES])[0]
    services.centre_hours_replace(centre=centre, periods=_hours(profile))

    codes = list(FUNCTION_TEXT)
    count = rng.randint(4, 6)
    chosen = rng.sample(codes, count)
    functions = [(code, "", FUNCTION_TEXT[code]) for code in chosen]
    if count < 6 and rng.random() < 0.4:
        functions[-1] = (ServiceFunctionCode.OWN, *rng.choice(OWN_FUNCTIONS))
    for position, (code, name, description) in enumerate(functions):
        services.service_function_save(centre=centre, code=code, name=name, description=description, position=position)

    for name, capacity, purpose in rng.sample(ROOMS, 3):
        services.room_save(centre=centre, name=name, capacity=capacity, purpose=purpose)

    roll = rng.random()
    if roll < 0.2:
        services.date_exception_add(
            centre=centre, date=today + dt.timedelta(days=rng.randint(0, 20)), is_closed=True, note="设备检修，暂停开放"
        )
    elif roll < 0.35:
        services.date_exception_add(
            centre=centre,
            date=today + dt.timedelta(days=rng.randint(0, 20)),
            is_closed=False,
            kind=ServiceKind.EXTENDED,
            opens=_t("09:00"),
            closes=_t("21:30"),
            note="社区文化节，延时开放",
        )
    return centre


def load(*, log=print) -> int:
    """Make whatever of the 500 centres is missing; returns how many were made."""
    areas, centres = plan()
    existing = set(Centre.objects.values_list("slug", flat=True))
    missing = [c for c in centres if c.slug not in existing]
    if not missing:
        return 0
    known = _ensure_areas(areas)
    today = timezone.localdate()
    for done, centre_plan in enumerate(missing, 1):
        # One generator per centre, seeded by its slug: the same centre whatever was
        # loaded before it.
        rng = random.Random(f"{SEED}-{centre_plan.slug}")
        with transaction.atomic():
            _create_centre(centre_plan, known[centre_plan.area_key], rng, today)
        if done % 100 == 0:
            log(f"  {done}/{len(missing)} centres")
    return len(missing)


# --- Activities and their sessions ---------------------------------------------------
#
# 5,000 sessions in the current month and a year of history before it, at the published
# centres: after-school care on school days, lunches for elders, evening classes, weekend
# sessions, doctors' hours, party days. Each activity is one weekly or monthly series in
# one room, planned with the scheduling rules (``plan_series``: public holidays, make-up
# working days, closed days and the centre's hours), so whether a session is after-hours
# follows from the centre's hours as it does on the staff pages. No two scheduled sessions
# share a room at once (the exclusion constraint would refuse them).
#
# Written with bulk_create (a minute through the services becomes seconds). Idempotent: the
# activities are made once; each month's sessions are made if that month has none.

SESSIONS_PER_MONTH = 5000
HISTORY_MONTHS = 12
WORKING_WEEK = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"


@dataclass(frozen=True)
class ActivityTemplate:
    title: str
    description: str
    function: str
    audience: str
    rule: str
    # Times to try in turn: the first that fits the centre's hours on most dates is kept.
    times: tuple[tuple[str, str], ...]
    capacity: int
    ages: tuple[int, int] | None = None
    booking_required: bool = True
    on_make_up_days: bool = False
    partner: tuple[str, str] | None = None  # (name, kind)


ACTIVITY_TEMPLATES = [
    ActivityTemplate(
        "四点半课堂",
        "放学后作业辅导、阅读和手工，家长请于结束前接回。",
        ServiceFunctionCode.CHILDCARE,
        "children",
        WORKING_WEEK,
        (("16:30", "18:30"), ("15:30", "17:30")),
        20,
        ages=(6, 12),
        on_make_up_days=True,
        partner=("青少年社工服务站", "social_organisation"),
    ),
    ActivityTemplate(
        "长者助餐",
        "荤素搭配两菜一汤，80岁以上老人半价。",
        ServiceFunctionCode.ELDERCARE,
        "elders",
        WORKING_WEEK,
        (("11:00", "12:00"),),
        15,
        booking_required=False,
    ),
    ActivityTemplate(
        "青年夜校·摄影入门",
        "手机摄影构图与后期，每期八讲。",
        ServiceFunctionCode.CULTURE_SPORTS,
        "young_adults",
        "FREQ=WEEKLY;BYDAY=TU,TH",
        (("19:00", "20:30"),),
        12,
        partner=("青年志愿服务队", "volunteer_team"),
    ),
    ActivityTemplate(
        "青年夜校·插花",
        "东方插花基础，材料费自理。",
        ServiceFunctionCode.CULTURE_SPORTS,
        "young_adults",
        "FREQ=WEEKLY;BYDAY=WE",
        (("19:00", "20:30"), ("19:30", "20:30")),
        12,
    ),
    ActivityTemplate(
        "周末亲子阅读",
        "绘本共读和亲子手工，请家长陪同。",
        ServiceFunctionCode.CHILDCARE,
        "children",
        "FREQ=WEEKLY;BYDAY=SA",
        (("09:30", "11:00"), ("15:00", "16:30")),
        15,
        ages=(3, 10),
    ),
    ActivityTemplate(
        "南音雅集",
        "南音弹唱欣赏与体验，欢迎街坊参与。",
        ServiceFunctionCode.CULTURE_SPORTS,
        "everyone",
        "FREQ=WEEKLY;BYDAY=SU",
        (("14:30", "16:30"), ("09:30", "11:30")),
        15,
        booking_required=False,
        partner=("南音社", "resident_group"),
    ),
    ActivityTemplate(
        "太极拳晨练",
        "二十四式太极拳，零基础可学。",
        ServiceFunctionCode.CULTURE_SPORTS,
        "elders",
        "FREQ=WEEKLY;BYDAY=MO,WE,FR",
        (("09:00", "10:00"), ("08:30", "09:30")),
        15,
        booking_required=False,
    ),
    ActivityTemplate(
        "家庭医生坐诊",
        "量血压、测血糖、慢病随访，请带医保卡。",
        ServiceFunctionCode.MEDICAL,
        "everyone",
        "FREQ=WEEKLY;BYDAY=WE",
        (("09:00", "11:00"),),
        6,
        booking_required=False,
    ),
    ActivityTemplate(
        "政策咨询日",
        "社保、医保、居住证政策解答。",
        ServiceFunctionCode.AFFAIRS,
        "everyone",
        "FREQ=WEEKLY;BYDAY=TU",
        (("14:30", "16:30"),),
        10,
        booking_required=False,
    ),
    ActivityTemplate(
        "小家电义务维修",
        "电饭煲、电风扇、台灯等小家电免费维修。",
        ServiceFunctionCode.DAILY_LIFE,
        "everyone",
        "FREQ=MONTHLY;BYDAY=1SA",
        (("09:00", "11:30"), ("14:30", "17:00")),
        15,
        booking_required=False,
        partner=("红色物业志愿队", "volunteer_team"),
    ),
    ActivityTemplate(
        "新就业群体暖心茶话会",
        "外卖骑手、快递小哥歇脚交流，提供茶水和充电。",
        ServiceFunctionCode.DAILY_LIFE,
        "new_employment",
        "FREQ=WEEKLY;BYDAY=TH",
        (("19:30", "20:30"), ("15:00", "16:00")),
        12,
        booking_required=False,
    ),
    ActivityTemplate(
        "主题党日",
        "集中学习、重温入党誓词。",
        ServiceFunctionCode.OWN,
        "party_members",
        "FREQ=MONTHLY;BYDAY=-1FR",
        (("15:00", "16:30"),),
        12,
    ),
]
CANCEL_REASONS = ["场地临时维修", "授课老师临时有事", "台风天气，暂停活动", "报名人数不足"]
CANCELLED_SHARE = 0.02


def month_start(day: dt.date, months_back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(first: dt.date) -> dt.date:
    return month_start(first + dt.timedelta(days=31)) - dt.timedelta(days=1)


def _bench_hours() -> dict[int, CentreHours]:
    """Every centre's hours, in two queries."""
    periods, exceptions = {}, {}
    for period in OpeningPeriod.objects.all():
        periods.setdefault(period.centre_id, []).append(period)
    for exception in DateException.objects.all():
        exceptions.setdefault(exception.centre_id, []).append(exception)
    return {pk: CentreHours(periods.get(pk, []), exceptions.get(pk, [])) for pk in periods}


def _plan_month(series: Series, hours: CentreHours, first: dt.date) -> list[PlannedSession]:
    return plan_series(
        hours=hours,
        rule=series.rule,
        first_date=first,
        until=month_end(first),
        count=None,
        starts=series.starts,
        ends=series.ends,
        skip_public_holidays=series.skip_public_holidays,
        on_make_up_days=series.on_make_up_days,
    ).sessions


def _order_key(centre: Centre, title: str) -> float:
    """A seeded random order of the candidate activities, busier for street centres
    (weighted sampling: u ** (1 / weight))."""
    weight = {Centre.Kind.STREET: 4.0, Centre.Kind.COMMUNITY: 1.0, Centre.Kind.VILLAGE: 0.7}.get(centre.kind, 1.5)
    return random.Random(f"{SEED}-{centre.slug}-{title}").random() ** (1 / weight)


def _create_activities(today: dt.date, hours: dict, log) -> int:
    """The activities and their series, chosen so that the current month has at least
    ``SESSIONS_PER_MONTH`` sessions. Returns how many activities were made."""
    first, last = month_start(today), month_end(month_start(today))
    history_start = month_start(today, HISTORY_MONTHS)
    centres = list(Centre.objects.published().prefetch_related("rooms").order_by("slug"))
    candidates = []
    for centre in centres:
        rng = random.Random(f"{SEED}-{centre.slug}-activities")
        count = {Centre.Kind.STREET: 10}.get(centre.kind, rng.randint(3, 6))
        for template in rng.sample(ACTIVITY_TEMPLATES, min(count, len(ACTIVITY_TEMPLATES))):
            candidates.append((_order_key(centre, template.title), centre, template))
    candidates.sort(key=lambda item: item[0], reverse=True)

    chosen, planned_total, taken = [], 0, {}
    for _key, centre, template in candidates:
        if planned_total >= SESSIONS_PER_MONTH:
            break
        # Rooms big enough for the activity first.
        rooms = sorted(centre.rooms.all(), key=lambda room: (room.capacity < template.capacity, room.pk))
        best = None
        for starts, ends in template.times:
            probe = Series(
                rule=template.rule,
                starts=_t(starts),
                ends=_t(ends),
                on_make_up_days=template.on_make_up_days,
                skip_public_holidays=True,
            )
            sessions = _plan_month(probe, hours[centre.pk], first)
            if sessions and (best is None or len(sessions) > len(best[1])):
                best = (probe, sessions)
        if best is None:
            continue
        probe, sessions = best
        # The first room whose sessions that month clash with nothing taken.
        for room in rooms:
            busy = taken.setdefault(room.pk, [])
            if not any(s.starts_at < e and b < s.ends_at for s in sessions for b, e in busy):
                busy.extend((s.starts_at, s.ends_at) for s in sessions)
                chosen.append((centre, template, probe, room))
                planned_total += len(sessions)
                break

    partners = {}
    for centre, template, _probe, _room in chosen:
        if template.partner:
            name, kind = template.partner
            partners.setdefault((centre.pk, name), Partner(centre=centre, name=name, kind=kind))
    Partner.objects.bulk_create(partners.values())
    activities = []
    for centre, template, _probe, room in chosen:
        partner = partners.get((centre.pk, template.partner[0])) if template.partner else None
        activities.append(
            Activity(
                centre=centre,
                title=template.title,
                description=template.description,
                service_function=template.function,
                partner=partner,
                audience=template.audience,
                min_age=template.ages[0] if template.ages else None,
                max_age=template.ages[1] if template.ages else None,
                capacity=min(template.capacity, room.capacity),
                booking_required=template.booking_required,
            )
        )
    Activity.objects.bulk_create(activities)
    series = []
    for activity, (_centre, _template, probe, room) in zip(activities, chosen, strict=True):
        probe.activity, probe.room, probe.first_date, probe.until = activity, room, history_start, last
        series.append(probe)
    Series.objects.bulk_create(series)
    centre_count = len({centre.pk for centre, *_ in chosen})
    log(f"  {len(activities)} activities at {centre_count} centres, {planned_total} sessions this month")
    return len(activities)


def _create_month(first: dt.date, hours: dict, now: dt.datetime) -> int:
    """The sessions of the month starting ``first``: at most ``SESSIONS_PER_MONTH``, the
    activities taken in the order they were chosen (their ids), none clashing in a room."""
    rows, taken = [], {}
    rng = random.Random(f"{SEED}-{first}")
    for series in Series.objects.select_related("activity").order_by("activity_id", "pk"):
        if len(rows) >= SESSIONS_PER_MONTH:
            break
        for planned in _plan_month(series, hours[series.activity.centre_id], first):
            if len(rows) >= SESSIONS_PER_MONTH:
                break
            busy = taken.setdefault((series.room_id, planned.date), [])
            if any(planned.starts_at < e and b < planned.ends_at for b, e in busy):
                continue
            busy.append((planned.starts_at, planned.ends_at))
            occurrence = Occurrence(
                activity=series.activity,
                series=series,
                centre_id=series.activity.centre_id,
                room_id=series.room_id,
                starts_at=planned.starts_at,
                ends_at=planned.ends_at,
                after_hours_kind=planned.service_kind,
                is_after_hours=planned.is_after_hours,
            )
            if rng.random() < CANCELLED_SHARE:
                occurrence.status = Occurrence.Status.CANCELLED
                occurrence.cancel_reason = rng.choice(CANCEL_REASONS)
                occurrence.cancelled_at = min(now, planned.starts_at - dt.timedelta(days=1))
            rows.append(occurrence)
    Occurrence.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def load_activities(*, log=print, today: dt.date | None = None) -> int:
    """Make the activities if there are none, and the sessions of each month from
    ``HISTORY_MONTHS`` ago to this one that has none. Returns how many sessions were made."""
    today = today or timezone.localdate()
    now = timezone.now()
    hours = _bench_hours()
    with transaction.atomic():
        if not Activity.objects.exists():
            _create_activities(today, hours, log)
        # A later run in a later month: the series reach this month too.
        Series.objects.filter(until__lt=month_end(month_start(today))).update(until=month_end(month_start(today)))
    made = 0
    for back in range(HISTORY_MONTHS, -1, -1):
        first = month_start(today, back)
        span = (aware_day(first), aware_day(month_end(first) + dt.timedelta(days=1)))
        if Occurrence.objects.filter(starts_at__gte=span[0], starts_at__lt=span[1]).exists():
            continue
        with transaction.atomic():
            count = _create_month(first, hours, now)
        made += count
        log(f"  {first:%Y-%m}: {count} sessions")
    return made


def aware_day(date: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(date, dt.time()))
