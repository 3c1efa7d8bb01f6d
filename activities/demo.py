"""Demo activities: about four weeks of history and two months ahead of the load date, at
the demo centres of ``centres/demo.py``, with partners of every kind and a few brands.

Called by ``manage.py load_demo_data`` after the centres are loaded, inside its
transaction. Safe to run again: partners, brands and activities are matched on their
natural keys and made only when missing (what staff changed in them stands); nothing is
deleted. An activity made by an earlier run gets sessions again only when its schedule
runs out in less than ``TOP_UP_DAYS``: then a new series carries it on to
``AHEAD_DAYS`` ahead.

Coming sessions go through the scheduling services, so they respect the centres' hours,
closed days and rooms exactly as staff scheduling does. The services refuse the past, so
history is planned with the same ``plan_series``/``fit_session`` against the centre's
hours, checked for room clashes with the same ``find_clashes``, and written with
``bulk_create``.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from centres import demo as centres_demo
from centres.models import Area, Centre

from . import services
from .models import Activity, Audience, Brand, Occurrence, Partner, Series
from .recurrence import PlannedSession, Repeat, SkippedDate, fit_session, plan_series, rule_for

HISTORY_DAYS = 28
AHEAD_DAYS = 61
TOP_UP_DAYS = 45

# --- Partners: one of every kind at every centre --------------------------------------

SOCIAL_ORGANISATIONS = {
    "丰泽区": ("丰泽区启明社会工作服务中心", "专业社工机构，承接四点半课堂、亲子营和长者服务项目。"),
    "金东区": ("金东区和悦社工服务社", "专业社工机构，开展儿童托管、老年大学和邻里互助项目。"),
    "普陀区": ("普陀区乐龄社会服务中心", "专注为老服务与青年社会参与的社会组织。"),
}
VENUE_UNITS = {
    "丰泽区": [
        ("丰泽区人民医院", "共建单位：派出医生开展健康讲座、义诊，提供会议室。"),
        ("福建刺桐律师事务所", "共建单位：律师驻点咨询、法律讲座。"),
        ("国网泉州供电公司丰泽服务中心", "共建单位：用电安全宣传，开放职工活动室。"),
        ("泉州师范学院团委", "共建单位：大学生志愿者参与课后托管和青年夜校。"),
    ],
    "金东区": [
        ("金东区人民医院", "共建单位：家庭医生团队、健康讲座。"),
        ("浙江金东律师事务所", "共建单位：法律讲座与纠纷调解。"),
        ("中国工商银行金华金东支行", "共建单位：防范电信诈骗、家庭理财课程。"),
    ],
    "普陀区": [
        ("普陀区中心医院", "共建单位：健康讲座与慢病管理。"),
        ("上海普陀律师事务所", "共建单位：法律讲座、楼宇企业法律体检。"),
        ("真如境商务楼宇联合党委", "共建单位：开放路演厅和会议室，支持青年夜校。"),
    ],
}


def place_of(centre: Centre) -> str:
    """The short name residents use: 丰泽社区党群服务中心 → 丰泽社区."""
    for suffix in ("党群服务中心", "党群服务站", "党群服务驿站", "服务中心", "服务站"):
        if centre.name.endswith(suffix):
            return centre.name[: -len(suffix)]
    return centre.name


def partner_specs(centre: Centre, index: int) -> dict[str, tuple[str, str, str]]:
    """kind → (name, description, contact) for the centre's four partners."""
    district = centre.district.name
    place = place_of(centre)
    units = VENUE_UNITS[district]
    unit_name, unit_text = units[index % len(units)]
    social_name, social_text = SOCIAL_ORGANISATIONS[district]
    return {
        Partner.Kind.SOCIAL_ORGANISATION: (social_name, social_text, "项目主管 王老师"),
        Partner.Kind.VOLUNTEER_TEAM: (
            f"{place}志愿服务队",
            "党员、退休教师和大学生组成的志愿服务队，参与课后托管、助老和邻里义剪。",
            "队长 李阿姨",
        ),
        Partner.Kind.RESIDENT_GROUP: (
            f"{place}夕阳红艺术团",
            "居民自组织：太极、合唱、广场舞，每周固定活动。",
            "团长 张老师",
        ),
        Partner.Kind.VENUE_UNIT: (unit_name, unit_text, "联络员 陈先生"),
    }


# --- Brands ------------------------------------------------------------------------------

# A district-wide brand per district, and "one community, one brand" for a few communities.
DISTRICT_BRANDS = {
    "丰泽区": ("幸福丰泽·红色邻里", "丰泽区党群服务中心区级服务品牌：把服务送到居民家门口。"),
    "金东区": ("金东红·邻里暖", "金东区党建引领邻里服务品牌。"),
    "普陀区": ("万里同心", "普陀区万里街道党群服务品牌，聚焦楼宇青年和社区长者。"),
}
COMMUNITY_BRANDS = {
    "fengze-community": ("丰泽四点半", "丰泽社区“一社区一品牌”：放学后的第二课堂。", "after_school"),
    "shenghu-community": ("圣湖家风", "圣湖社区“一社区一品牌”：家风家训进家庭。", "parent_child"),
    "xunmei-community": ("浔美童心", "浔美社区“一社区一品牌”：儿童之家与非遗体验。", "after_school"),
    "guangnan-community": ("光南邻里集市", "光南社区“一社区一品牌”：每月第一个周六的邻里市集。", "market"),
}
DISTRICT_BRAND_ACTIVITIES = {"night_school", "elders_phone", "health_talk"}

# --- Activities ----------------------------------------------------------------------------

NIGHT_SCHOOL_COURSES = [
    ("青年夜校·爵士舞", "零基础爵士舞，8周16课时，结业展演。"),
    ("青年夜校·手机摄影", "构图、用光与后期修图，8周16课时，课后街拍作业。"),
    ("青年夜校·咖啡拉花", "意式浓缩与拉花入门，8周16课时，材料费自理。"),
    ("青年夜校·家庭理财", "记账、保险、防范金融诈骗，8周16课时，银行讲师授课。"),
    ("青年夜校·中式烘焙", "月饼、酥点与面包，8周16课时。"),
]
HEALTH_TOPICS = "秋冬季心脑血管疾病预防、老年人防跌倒、糖尿病饮食管理"


@dataclass(frozen=True)
class Schedule:
    """How an activity repeats, relative to the load date."""

    repeat: str = Repeat.WEEKLY
    weekdays: tuple[int, ...] = ()
    starts: str = "09:00"
    ends: str = "10:00"
    first_offset: int = -HISTORY_DAYS  # days from today
    count: int | None = None  # sessions held over the whole series
    rule: str = ""  # a rule of its own instead of the preset
    once: tuple[int, ...] = ()  # single sessions, days from today (moved to the next open day)
    on_make_up_days: bool = False


@dataclass(frozen=True)
class Spec:
    key: str
    title: str
    description: str
    function: str
    audience: str
    capacity: int
    rooms: tuple[str, ...]  # ROOMS keys in order of preference; () for no room
    schedule: Schedule
    ages: tuple[int | None, int | None] = (None, None)
    booking: bool = True
    partner: str | None = None
    hours: frozenset = field(default_factory=frozenset)  # profiles it suits; empty: any


def activity_specs(spec: dict, index: int) -> list[Spec]:
    """The activities of one demo centre, from its kind, hours, rooms and functions."""
    hours, kind = spec.get("hours", "office"), spec["kind"]
    functions = set(spec["functions"]) | set(spec.get("own", []))
    specs = []
    if hours in {"extended", "all_year"} and kind in {"community", "street"} and "childcare" in functions:
        specs.append(
            Spec(
                "after_school",
                "四点半课堂",
                "上学日放学后作业辅导与托管：志愿者老师辅导作业，阅读、手工和体育游戏，18:30 前由家长接回。",
                "childcare",
                Audience.CHILDREN,
                25,
                ("after_school", "children_home", "youth_palace"),
                Schedule(Repeat.SCHOOL_DAYS, starts="16:00", ends="18:30", on_make_up_days=True),
                ages=(6, 12),
                partner=Partner.Kind.VOLUNTEER_TEAM,
            )
        )
    if hours in {"all_year", "staggered"} and kind == "community":
        specs.append(
            Spec(
                "parent_child",
                "周末亲子营",
                "周六上午亲子活动：绘本共读、自然观察、传统手工，家长陪同参加。",
                "childcare",
                Audience.CHILDREN,
                20,
                ("children_home", "family_hall", "activity", "early_ed"),
                Schedule(weekdays=(5,), starts="09:00", ends="11:30"),
                ages=(4, 10),
                partner=Partner.Kind.SOCIAL_ORGANISATION,
            )
        )
    if "youth_palace" in spec["rooms"]:
        specs.append(
            Spec(
                "winter_camp",
                "寒假托管班",
                "寒假第一周上午托管：寒假作业辅导、书法、武术体验，自带水杯。",
                "childcare",
                Audience.CHILDREN,
                30,
                ("youth_palace",),
                Schedule(Repeat.SCHOOL_DAYS, starts="08:30", ends="11:30", first_offset=52, count=5),
                ages=(6, 12),
                partner=Partner.Kind.SOCIAL_ORGANISATION,
            )
        )
    if hours in {"building", "all_year", "extended"} and kind in {"building", "street", "park"} | (
        {"community"} if "dance" in spec["rooms"] else set()
    ):
        title, description = NIGHT_SCHOOL_COURSES[index % len(NIGHT_SCHOOL_COURSES)]
        ends = "20:30" if hours == "extended" else "21:00"
        specs.append(
            Spec(
                "night_school",
                title,
                description + "面向 18–45 岁青年，每周二、周四晚上课。",
                "culture_sports",
                Audience.YOUNG_ADULTS,
                30,
                ("white_collar", "dance", "roadshow", "civilisation", "book_bar", "activity"),
                Schedule(weekdays=(1, 3), starts="19:00", ends=ends, count=16),
                ages=(18, 45),
                partner=Partner.Kind.VENUE_UNIT if kind != "community" else Partner.Kind.SOCIAL_ORGANISATION,
            )
        )
    if kind in {"community", "village", "street"} and hours not in {"building", "riders"}:
        specs.append(
            Spec(
                "elders_phone",
                "老年大学·智能手机课堂",
                "手把手教长辈用微信视频、扫码乘车、网上挂号和识别诈骗电话，请带上自己的手机。",
                "eldercare",
                Audience.ELDERS,
                20,
                ("book_bar", "farm_library", "activity", "day_care", "civilisation", "village_council"),
                Schedule(weekdays=(3,), starts="09:30", ends="11:00"),
                ages=(60, None),
                partner=Partner.Kind.VOLUNTEER_TEAM,
            )
        )
    if kind in {"community", "village"} and hours not in {"appointment"}:
        specs.append(
            Spec(
                "elders_taichi",
                "老年大学·太极拳",
                "二十四式太极拳，由社区艺术团老师带练，适合 55 岁以上居民。",
                "eldercare",
                Audience.ELDERS,
                30,
                ("dance", "table_tennis", "culture_hall", "activity", "village_council"),
                Schedule(weekdays=(0, 2), starts="09:00", ends="10:00"),
                ages=(55, None),
                booking=False,
                partner=Partner.Kind.RESIDENT_GROUP,
            )
        )
    if "medical" in functions:
        specs.append(
            Spec(
                "health_talk",
                "健康大讲堂",
                f"共建医院医生主讲，每月两期。近期主题：{HEALTH_TOPICS}。讲座后免费测血压。",
                "medical",
                Audience.EVERYONE,
                40,
                ("activity", "auditorium", "culture_hall", "roadshow", "rider_rest", "civilisation", "white_collar"),
                Schedule(once=(-18, -4, 9, 23, 37, 51), starts="14:30", ends="16:00"),
                partner=Partner.Kind.VENUE_UNIT,
            )
        )
    if "法律咨询" in functions or "mediation" in spec["rooms"]:
        specs.append(
            Spec(
                "law_talk",
                "法律讲座：《民法典》与家庭生活",
                "律师讲解婚姻家庭、继承、物业纠纷中的常见问题，现场答疑。",
                "affairs",
                Audience.EVERYONE,
                40,
                ("activity", "auditorium", "meeting", "book_bar"),
                Schedule(once=(-9, 12, 40), starts="15:00", ends="16:30"),
                partner=Partner.Kind.VENUE_UNIT,
            )
        )
    if hours in {"all_year", "staggered"} and "daily_life" in functions:
        specs.append(
            Spec(
                "market",
                "邻里市集",
                "每月第一个周六上午：农产品直供、旧物交换、义剪义修、便民咨询，欢迎直接来逛。",
                "daily_life",
                Audience.EVERYONE,
                300,
                (),
                Schedule(rule="FREQ=MONTHLY;BYDAY=1SA", starts="09:00", ends="11:30"),
                booking=False,
                partner=Partner.Kind.RESIDENT_GROUP,
            )
        )
    if "daily_life" in functions and hours not in {"riders"} and kind in {"community", "village"}:
        specs.append(
            Spec(
                "haircut",
                "邻里义剪",
                "每月第二个周二上午志愿者理发，行动不便的老人可预约上门。",
                "daily_life",
                Audience.EVERYONE,
                30,
                (),
                Schedule(rule="FREQ=MONTHLY;BYDAY=2TU", starts="09:00", ends="11:00"),
                booking=False,
                partner=Partner.Kind.VOLUNTEER_TEAM,
            )
        )
    if hours == "riders":
        specs += [
            Spec(
                "rider_safety",
                "新就业群体交通安全微课堂",
                "交警和平台安全员讲解电动车安全、雨天骑行与事故处理，半小时讲完，来了就能听。",
                "affairs",
                Audience.NEW_EMPLOYMENT,
                40,
                ("rider_rest",),
                Schedule(weekdays=(2,), starts="16:30", ends="17:00"),
                booking=False,
                partner=Partner.Kind.VENUE_UNIT,
            ),
            Spec(
                "rider_talk",
                "骑手恳谈会",
                "每月一次：骑手、站点负责人和社区一起谈午餐、停车、充电和社保问题，会后集体过生日。",
                "own",
                Audience.NEW_EMPLOYMENT,
                40,
                ("rider_rest", "rider_canteen"),
                Schedule(rule="FREQ=MONTHLY;BYDAY=-1FR", starts="20:00", ends="21:00"),
                partner=Partner.Kind.SOCIAL_ORGANISATION,
            ),
        ]
    if kind in {"park", "building"}:
        specs.append(
            Spec(
                "party_day",
                "主题党日：楼宇党员集中学习",
                "每月最后一个工作日下午，园区和楼宇企业党员集中学习、交流，流动党员请提前报到。",
                "own",
                Audience.PARTY_MEMBERS,
                40,
                ("park_party", "roadshow", "white_collar", "meeting"),
                Schedule(rule="FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", starts="15:00", ends="16:30"),
            )
        )
    return specs


# --- Cancellations --------------------------------------------------------------------------

CANCEL_REASONS = [
    "授课老师临时出差，本次课程顺延一周。",
    "气象台发布暴雨预警，为安全起见暂停本次活动。",
    "场地临时用作社区换届选举投票点，本次活动取消。",
]
HISTORY_CANCEL_REASON = "台风“桦加沙”影响，暂停开放，本次活动取消。"


# --- The loader ---------------------------------------------------------------------------------


def _time(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


@dataclass
class Counts:
    activities: int = 0
    sessions: int = 0
    history: int = 0
    refused: list[str] = field(default_factory=list)


class ActivityLoader:
    def __init__(self, *, centres: dict[str, Centre], today: dt.date, log=None):
        self.centres = centres
        self.today = today
        self.now = timezone.now()
        self.log = log or (lambda message: None)
        self.counts = Counts()
        self.brands: dict[str, Brand] = {}

    def load(self) -> Counts:
        self.load_brands()
        for index, spec in enumerate(centres_demo.CENTRES):
            centre = self.centres.get(spec["slug"])
            if centre is not None:
                self.load_centre(index, spec, centre)
        return self.counts

    # Brands ------------------------------------------------------------------------------

    def load_brands(self) -> None:
        for district_name, (name, description) in DISTRICT_BRANDS.items():
            district = Area.objects.filter(name=district_name, parent=None).first()
            if district is not None:
                self.brands[district_name] = self._brand(district, name, description)
        for slug, (name, description, _key) in COMMUNITY_BRANDS.items():
            centre = self.centres.get(slug)
            if centre is not None:
                self.brands[slug] = self._brand(centre.area, name, description)

    def _brand(self, area: Area, name: str, description: str) -> Brand:
        district = services._district_of(area)
        existing = Brand.objects.filter(district=district, name=name).first()
        return existing or services.brand_save(area=area, name=name, description=description)

    # Centres -----------------------------------------------------------------------------

    def load_centre(self, index: int, spec: dict, centre: Centre) -> None:
        partners = {}
        existing_partners = {partner.name: partner for partner in centre.partners.all()}
        for kind, (name, description, contact) in partner_specs(centre, index).items():
            partner = existing_partners.get(name)
            if partner is None:
                partner = services.partner_save(
                    centre=centre, name=name, kind=kind, description=description, contact=contact
                )
            partners[kind] = partner
        rooms = {room.name: room for room in centre.rooms.all()}
        # One read of the hours for the whole window (the services read their own).
        self.hours = services.hours_for(
            centre, self.today - dt.timedelta(days=HISTORY_DAYS), self.today + dt.timedelta(days=AHEAD_DAYS)
        )
        existing = {activity.title: activity for activity in centre.activities.all()}
        for number, item in enumerate(activity_specs(spec, index)):
            activity = existing.get(item.title)
            if activity is None:
                activity = self.create_activity(spec, centre, item, partners, rooms)
                self.counts.activities += 1
                cancel = CANCEL_REASONS[index % len(CANCEL_REASONS)] if (index + number) % 7 == 0 else ""
                self.schedule(centre, activity, item, rooms, cancel=cancel, past_cancel=(index + number) % 9 == 4)
            else:
                self.top_up(centre, activity, item, rooms)

    def create_activity(self, spec, centre, item: Spec, partners, rooms) -> Activity:
        room = self._first_room(item, rooms)
        capacity = min(item.capacity, room.capacity) if room else item.capacity
        brand = None
        community_brand = COMMUNITY_BRANDS.get(spec["slug"])
        if community_brand and community_brand[2] == item.key:
            brand = self.brands.get(spec["slug"])
        elif item.key in DISTRICT_BRAND_ACTIVITIES:
            brand = self.brands.get(centre.district.name)
        return services.activity_save(
            centre=centre,
            title=item.title,
            description=item.description,
            service_function=item.function,
            partner=partners.get(item.partner),
            audience=item.audience,
            min_age=item.ages[0],
            max_age=item.ages[1],
            capacity=capacity,
            booking_required=item.booking,
            booking_opens_days=14 if item.schedule.count else 7,
            brand=brand,
        )

    @staticmethod
    def _candidate_rooms(item: Spec, rooms: dict) -> list:
        if not item.rooms:
            return [None]
        names = [centres_demo.ROOMS[key][0] for key in item.rooms]
        return [rooms[name] for name in names if name in rooms] or [None]

    def _first_room(self, item: Spec, rooms: dict):
        return self._candidate_rooms(item, rooms)[0]

    # Schedules ---------------------------------------------------------------------------

    def _rule(self, item: Spec, first_date: dt.date) -> str:
        schedule = item.schedule
        if schedule.rule:
            return schedule.rule
        return rule_for(schedule.repeat, first_date=first_date, weekdays=list(schedule.weekdays) or None)

    def schedule(self, centre, activity, item: Spec, rooms, *, cancel: str = "", past_cancel: bool = False) -> None:
        schedule = item.schedule
        starts, ends = _time(schedule.starts), _time(schedule.ends)
        if schedule.once:
            self.schedule_once(centre, activity, item, rooms, starts, ends, past_cancel=past_cancel)
            return
        first = self.today + dt.timedelta(days=schedule.first_offset)
        last = self.today + dt.timedelta(days=AHEAD_DAYS)
        held = 0
        if first <= self.today:
            held = self.history(centre, activity, item, rooms, first, starts, ends, past_cancel=past_cancel)
            first = self.today
        remaining = schedule.count - held if schedule.count else None
        if remaining is not None and remaining <= 0:
            return
        series = self.future_series(activity, item, rooms, first, last, starts, ends, remaining)
        if series is not None and cancel:
            upcoming = series.occurrences.order_by("starts_at")[1:2]
            for occurrence in upcoming:
                services.occurrences_cancel(occurrence=occurrence, reason=cancel)

    def history(self, centre, activity, item, rooms, first, starts, ends, *, past_cancel: bool) -> int:
        """Sessions from ``first`` until now, written directly (the services refuse the past)."""
        schedule = item.schedule
        rule = self._rule(item, first)
        plan = plan_series(
            hours=self.hours,
            rule=rule,
            first_date=first,
            until=self.today,
            count=schedule.count,
            starts=starts,
            ends=ends,
            on_make_up_days=schedule.on_make_up_days,
        )
        sessions = [s for s in plan.sessions if s.starts_at <= self.now]
        if not sessions:
            return 0
        for room in self._candidate_rooms(item, rooms):
            if not services.find_clashes(room=room, sessions=sessions):
                break
        else:
            self.counts.refused.append(f"{centre.name} {activity.title}: history (rooms taken)")
            return 0
        series = Series.objects.create(
            activity=activity,
            rule=rule,
            first_date=first,
            until=sessions[-1].date,
            starts=starts,
            ends=ends,
            room=room,
            on_make_up_days=schedule.on_make_up_days,
        )
        rows = [services._new_occurrence(activity, planned, room, series) for planned in sessions]
        if past_cancel and len(rows) > 2:
            rows[2].status = Occurrence.Status.CANCELLED
            rows[2].cancel_reason = HISTORY_CANCEL_REASON
            rows[2].cancelled_at = rows[2].starts_at - dt.timedelta(days=1)
        Occurrence.objects.bulk_create(rows)
        self.counts.history += len(rows)
        return len(rows)

    def future_series(self, activity, item, rooms, first, last, starts, ends, count) -> Series | None:
        schedule = item.schedule
        if first == self.today:
            today = fit_session(self.hours.schedule_for(first), starts, ends)
            if not isinstance(today, PlannedSession) or today.starts_at <= self.now:
                first += dt.timedelta(days=1)
        for room in self._candidate_rooms(item, rooms):
            try:
                series = services.series_create(
                    activity=activity,
                    rule=self._rule(item, first),
                    first_date=first,
                    until=None if count else last,
                    count=count,
                    starts=starts,
                    ends=ends,
                    room=room,
                    on_make_up_days=schedule.on_make_up_days,
                    # A fixed number of sessions (evening classes, a camp week) is booked as a course.
                    is_course=schedule.count is not None,
                )
            except ValidationError as error:
                problem = error.messages[0]
                continue
            self.counts.sessions += series.occurrences.count()
            return series
        self.counts.refused.append(f"{activity.centre.name} {activity.title}: {problem}")
        return None

    def schedule_once(self, centre, activity, item, rooms, starts, ends, *, past_cancel: bool) -> None:
        hours = self.hours
        for offset in item.schedule.once:
            date = self.today + dt.timedelta(days=offset)
            for _attempt in range(7):  # the next day the centre is open at that time
                fitted = fit_session(hours.schedule_for(date), starts, ends)
                if isinstance(fitted, PlannedSession):
                    break
                date += dt.timedelta(days=1)
            if isinstance(fitted, SkippedDate):
                continue
            for room in self._candidate_rooms(item, rooms):
                if fitted.starts_at <= self.now:
                    if services.find_clashes(room=room, sessions=[fitted]):
                        continue
                    occurrence = services._new_occurrence(activity, fitted, room)
                    if past_cancel:
                        occurrence.status, occurrence.cancel_reason = Occurrence.Status.CANCELLED, HISTORY_CANCEL_REASON
                        occurrence.cancelled_at = fitted.starts_at - dt.timedelta(days=1)
                        past_cancel = False
                    occurrence.save()
                    self.counts.history += 1
                    break
                try:
                    services.occurrence_create(activity=activity, date=date, starts=starts, ends=ends, room=room)
                except ValidationError:
                    continue
                self.counts.sessions += 1
                break

    def top_up(self, centre, activity, item: Spec, rooms) -> None:
        """Carry on a repeating activity made by an earlier run whose sessions run out soon."""
        schedule = item.schedule
        if schedule.once or schedule.count:
            return  # talks and courses are planned once; they are not carried on
        last_session = activity.occurrences.aggregate(last=Max("starts_at"))["last"]
        if last_session is None:
            return  # staff removed its sessions: theirs stands
        last_date = timezone.localdate(last_session)
        if last_date >= self.today + dt.timedelta(days=TOP_UP_DAYS):
            return
        first = max(last_date + dt.timedelta(days=1), self.today)
        starts, ends = _time(schedule.starts), _time(schedule.ends)
        self.future_series(activity, item, rooms, first, self.today + dt.timedelta(days=AHEAD_DAYS), starts, ends, None)


def load_demo_activities(*, centres: dict[str, Centre], today: dt.date, log=None) -> Counts:
    return ActivityLoader(centres=centres, today=today, log=log).load()
