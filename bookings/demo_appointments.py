"""Demo appointments: the demo centres with by-appointment hours take appointments for
certificates, mediation, legal and health advice, and a few residents have asked for one
(waiting, confirmed, moved to another time by the centre, booked by staff for an elder).

Everything goes through ``bookings.appointments``, so slots, capacity and the residents'
limits hold. Safe to run again: a centre's set-up and services are made only when it has
none (what staff changed stands), and appointments only at a centre that has none.
Names are invented; the residents are the demo login and the demo residents of
``bookings.demo``.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from centres import demo as centres_demo
from centres.models import Centre, ServiceFunctionCode, ServiceKind
from portal.models import User

from . import appointments as services
from .models import Appointment, AppointmentSetup

TOPICS = [
    ("证明开具", ServiceFunctionCode.AFFAIRS),
    ("矛盾调解", ServiceFunctionCode.OWN),
    ("法律咨询", ServiceFunctionCode.OWN),
    ("健康咨询", ServiceFunctionCode.MEDICAL),
]
NEEDS = {
    "证明开具": ["开具居住证明，用于孩子入学。", "开具无犯罪记录证明的介绍信。", "老人高龄补贴需要的证明。"],
    "矛盾调解": ["楼上漏水到我家，想请社区帮忙协调。", "邻居在楼道堆放杂物，沟通未果。"],
    "法律咨询": ["劳动合同到期不续签，想咨询补偿。", "房屋租赁押金不退，怎么办？"],
    "健康咨询": ["想了解家庭医生签约。", "老人血压偏高，想咨询饮食和用药。"],
}
ELDERS = ["陈阿婆", "吴伯伯", "郑奶奶", "蔡爷爷"]
# Phones 137 0000 xxxx are the demo residents of bookings/demo.py.
DEMO_RESIDENT_PHONES = "1370000"


@dataclass
class AppointmentCounts:
    setups: int = 0
    topics: int = 0
    appointments: int = 0
    refused: list[str] = field(default_factory=list)


def demo_appointment_centres():
    """The demo centres that have by-appointment opening periods."""
    slugs = [spec["slug"] for spec in centres_demo.CENTRES]
    return (
        Centre.objects.filter(slug__in=slugs, opening_periods__kind=ServiceKind.APPOINTMENT).distinct().order_by("slug")
    )


def load_demo_appointments(now: dt.datetime | None = None) -> AppointmentCounts:
    now = now or timezone.now()
    counts = AppointmentCounts()
    residents = list(
        User.objects.filter(
            Q(phone__startswith=DEMO_RESIDENT_PHONES) | Q(phone=centres_demo.DEMO_LOGINS[0]["phone"]),
            role=User.Role.RESIDENT,
            is_active=True,
        ).order_by("phone")
    )
    demo_login = next((r for r in residents if r.phone == centres_demo.DEMO_LOGINS[0]["phone"]), None)
    others = [r for r in residents if r is not demo_login]
    for index, centre in enumerate(demo_appointment_centres()):
        _set_up(centre, counts)
        if Appointment.objects.filter(centre=centre).exists():
            continue
        # The demo login asks at its own centre; demo residents take turns elsewhere.
        for_login = demo_login if centre.slug == "fengze-community" else None
        chosen = others[index * 4 : index * 4 + 4]
        _appointments(centre, for_login, chosen, now, counts)
    return counts


def _set_up(centre: Centre, counts: AppointmentCounts) -> None:
    if not AppointmentSetup.objects.filter(centre=centre).exists():
        services.appointment_setup_save(
            centre=centre, is_published=True, slot_minutes=30, places_per_slot=2, days_ahead=14, notice_hours=2
        )
        counts.setups += 1
    if not centre.appointment_topics.exists():
        for name, function in TOPICS:
            services.appointment_topic_save(centre=centre, name=name, service_function=function)
            counts.topics += 1


def _appointments(centre: Centre, demo_login, residents: list, now: dt.datetime, counts: AppointmentCounts) -> None:
    slots = [slot for day in services.appointment_slots(centre=centre, now=now) for slot in day.slots]
    if len(slots) < 6:
        return
    topics = list(centre.appointment_topics.filter(is_offered=True).order_by("position", "pk"))
    staff = centre.staff.filter(is_active=True).order_by("pk").first()
    # (resident, slot, what the centre does next)
    plans = []
    if demo_login is not None:
        plans += [(demo_login, slots[1], "requested"), (demo_login, slots[4], "proposed")]
    plans += [
        (resident, slots[(n * 2) % len(slots)], ("confirmed", "requested", "proposed", "confirmed")[n % 4])
        for n, resident in enumerate(residents)
    ]
    for n, (resident, slot, then) in enumerate(plans):
        topic = topics[n % len(topics)]
        needs = NEEDS.get(topic.name, ["想预约咨询。"])
        try:
            appointment = services.appointment_request(
                centre=centre,
                resident=resident,
                topic=topic,
                starts_at=slot.starts_at,
                need=needs[n % len(needs)],
                now=now,
            )
            if then == "confirmed":
                services.appointment_confirm(appointment=appointment, by=staff, note="请带好身份证。")
            elif then == "proposed":
                later = slots[(slots.index(slot) + 3) % len(slots)]
                services.appointment_propose(
                    appointment=appointment,
                    by=staff,
                    starts_at=later.starts_at,
                    note="该时段工作人员外出，改到这个时间可以吗？",
                )
            counts.appointments += 1
        except ValidationError as error:
            counts.refused.append(f"{centre.name} {slot.starts_at:%Y-%m-%d %H:%M}: {' '.join(error.messages)}")
    # An elder without a phone, booked by staff at the desk.
    elder = ELDERS[len(centre.name) % len(ELDERS)]
    try:
        services.appointment_request(
            centre=centre,
            resident=None,
            person_name=elder,
            topic=topics[0],
            starts_at=slots[2].starts_at,
            need="老人没有手机，由工作人员代为预约：办理高龄补贴证明。",
            source="staff",
            booked_by=staff,
            now=now,
        )
        counts.appointments += 1
    except ValidationError as error:
        counts.refused.append(f"{centre.name} {elder}: {' '.join(error.messages)}")
