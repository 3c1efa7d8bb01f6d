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

from centres import services
from centres.models import Area, Centre, Day, ServiceFunctionCode, ServiceKind

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
