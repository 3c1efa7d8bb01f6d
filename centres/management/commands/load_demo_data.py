"""Load the demo districts, centres and logins of ``centres/demo.py``.

Then the demo activities of ``activities/demo.py``: partners, brands, activities and
about three months of sessions around today.

Safe to run again: areas, centres, rooms, service functions and users are matched on
their natural keys and updated; weekly hours are replaced; the loader's own date
exceptions are replaced; photos are added only to a centre that has none. Every write
goes through the services in ``centres/services.py``, so demo data is validated like
data entered by staff, and photos are checked and thumbnailed like uploads.
"""

import datetime as dt
import io
import random
from collections import Counter
from pathlib import Path

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from activities.demo import load_demo_activities
from activities.models import Activity, Brand, Occurrence, Partner
from bookings.demo import load_demo_bookings
from bookings.demo_appointments import load_demo_appointments
from bookings.models import Appointment, Booking, Dependant
from centres import demo, services
from centres.models import Area, Centre, CentrePhoto, DateException, OpeningPeriod, Room, ServiceFunction
from portal.models import User
from portal.notifications import notifications_held
from ratings.demo import load_demo_ratings
from ratings.demo_cycle import load_demo_cycles
from stats.demo import load_demo_statistics


class Command(BaseCommand):
    help = "Load demo districts, streets, communities, centres and one login per role. Safe to run again."

    def handle(self, *args, verbosity=1, **options):
        loader = DemoLoader(today=timezone.localdate(), log=self.stdout.write if verbosity >= 2 else None)
        # The demo's bookings would text every demo resident: their messages go to the
        # inboxes only (reminders still go out when due, as they would in real life).
        with notifications_held(), transaction.atomic():
            loader.load()
        if verbosity >= 1:
            self.stdout.write(summary())


def summary() -> str:
    areas = Counter(Area.objects.values_list("level", flat=True))
    kinds = Counter(Centre.objects.values_list("kind", flat=True))
    kind_text = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
    demo_phones = [login["phone"] for login in demo.DEMO_LOGINS]
    sessions, now = Occurrence.objects.all(), timezone.now()
    return "\n".join(
        [
            "Demo data loaded:",
            f"  areas: {areas['district']} districts, {areas['street']} streets/towns, "
            f"{areas['community']} communities/villages",
            f"  centres: {sum(kinds.values())} ({kind_text})",
            f"  rooms: {Room.objects.count()}, service functions: {ServiceFunction.objects.count()}, "
            f"opening periods: {OpeningPeriod.objects.count()}, date exceptions: {DateException.objects.count()}, "
            f"photos: {CentrePhoto.objects.count()}",
            f"  activities: {Activity.objects.count()}, partners: {Partner.objects.count()}, "
            f"brands: {Brand.objects.count()}, sessions: {sessions.count()} "
            f"({sessions.filter(starts_at__gt=now).count()} coming, "
            f"{sessions.filter(status=Occurrence.Status.CANCELLED).count()} cancelled, "
            f"{sessions.filter(is_after_hours=True).count()} after hours)",
            f"  bookings: {Booking.objects.count()} "
            f"({Booking.objects.filter(status='waiting').count()} on waiting lists), "
            f"family members: {Dependant.objects.count()}, appointments: {Appointment.objects.count()}",
            f"  demo logins: {User.objects.filter(phone__in=demo_phones).count()} (password {demo.DEMO_PASSWORD})",
        ]
    )


def _time(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


class DemoLoader:
    def __init__(self, *, today: dt.date, log=None):
        self.today = today
        self.log = log or (lambda message: None)
        self.areas: dict[tuple[str, ...], Area] = {}
        self.centres: dict[str, Centre] = {}

    def load(self) -> None:
        self.load_areas()
        for index, spec in enumerate(demo.CENTRES):
            self.load_centre(index, spec)
        self.load_users()
        # Activities after the centres, their hours, rooms and date exceptions.
        counts = load_demo_activities(centres=self.centres, today=self.today, log=self.log)
        for problem in counts.refused:
            self.log(f"Not scheduled: {problem}")
        demo_resident = User.objects.filter(phone=demo.DEMO_LOGINS[0]["phone"]).first()
        booked = load_demo_bookings(centres=self.centres, demo_resident=demo_resident)
        for problem in booked.refused:
            self.log(f"Not booked: {problem}")
        load_demo_appointments(timezone.now())
        load_demo_ratings(log=self.log)
        load_demo_statistics(log=self.log)
        load_demo_cycles(log=self.log)  # after the statistics: the computed criteria read them

    # Areas --------------------------------------------------------------------------

    def load_areas(self) -> None:
        for city, district_name, streets in demo.AREAS:
            district = self._area(district_name, Area.Level.DISTRICT, None, city)
            self.areas[(district_name,)] = district
            for street_name, communities in streets:
                street = self._area(street_name, Area.Level.STREET, district)
                self.areas[(district_name, street_name)] = street
                for community_name in communities:
                    community = self._area(community_name, Area.Level.COMMUNITY, street)
                    self.areas[(district_name, street_name, community_name)] = community

    def _area(self, name: str, level: str, parent: Area | None, city: str = "") -> Area:
        area = Area.objects.filter(name=name, parent=parent).first()
        if area is None:
            self.log(f"New area {name}")
            return services.area_create(name=name, level=level, parent=parent, city=city)
        if area.city != city:
            services.area_update(area=area, name=name, city=city)
        return area

    # Centres ------------------------------------------------------------------------

    def load_centre(self, index: int, spec: dict) -> Centre:
        fields = {
            "name": spec["name"],
            "kind": spec["kind"],
            "area": self.areas[spec["area"]],
            "address": spec["address"],
            "floor_area": spec["floor_area"],
            "phone": spec["phone"],
            "introduction": introduction(spec),
            "is_published": True,
        }
        centre = Centre.objects.filter(slug=spec["slug"]).first()
        if centre is None:
            self.log(f"New centre {spec['name']}")
            centre = services.centre_create(slug=spec["slug"], **fields)
        else:
            centre = services.centre_update(centre=centre, **fields)
        self.centres[spec["slug"]] = centre

        rooms = room_keys(spec)
        existing_rooms = {room.name: room for room in centre.rooms.all()}
        for key in rooms:
            name, capacity, purpose, _scene = demo.ROOMS[key]
            existing = existing_rooms.get(name)
            services.room_save(centre=centre, room=existing, name=name, capacity=capacity, purpose=purpose)

        functions = list(centre.functions.all())
        standard = {function.code: function for function in functions if function.code != "own"}
        own = {function.name: function for function in functions if function.code == "own"}
        position = 0
        for code in spec["functions"]:
            texts = demo.FUNCTION_TEXTS[code]
            existing = standard.get(code)
            services.service_function_save(
                centre=centre,
                function=existing,
                code=code,
                name="",
                description=texts[index % len(texts)],
                position=position,
            )
            position += 1
        for name in spec.get("own", []):
            existing = own.get(name)
            services.service_function_save(
                centre=centre,
                function=existing,
                code="own",
                name=name,
                description=demo.OWN_FUNCTIONS[name],
                position=position,
            )
            position += 1

        periods = [
            {"day": day, "kind": kind, "opens": _time(opens), "closes": _time(closes)}
            for days, kind, opens, closes in demo.HOURS[spec["hours"]]
            for day in days
        ]
        services.centre_hours_replace(centre=centre, periods=periods)
        self.load_date_exceptions(centre, spec.get("exceptions", []))

        if not centre.photos.exists():
            self.add_photos(centre, spec, rooms)
        return centre

    def load_date_exceptions(self, centre: Centre, keys: list[str]) -> None:
        # Replace the rows this loader made before (known by their notes), wherever they are.
        for old in centre.date_exceptions.filter(note__in=demo.DEMO_EXCEPTION_NOTES):
            services.date_exception_delete(exception=old)
        for key in keys:
            for item in demo.DATE_EXCEPTIONS[key]:
                date = self.today + dt.timedelta(days=item["days_ahead"])
                date += dt.timedelta(days=(item["weekday"] - date.weekday()) % 7)
                if centre.date_exceptions.filter(date=date).exists():
                    continue  # staff have said something about that day: theirs stands
                try:
                    with transaction.atomic():
                        self.add_date_exception(centre, date, item)
                except ValidationError:
                    continue  # sessions are planned that day (an earlier load's date moved on)

    @staticmethod
    def add_date_exception(centre: Centre, date: dt.date, item: dict) -> None:
        if item.get("closed"):
            services.date_exception_add(centre=centre, date=date, is_closed=True, note=item["note"])
        else:
            services.date_exception_add(
                centre=centre,
                date=date,
                is_closed=False,
                kind=item["kind"],
                opens=_time(item["opens"]),
                closes=_time(item["closes"]),
                note=item["note"],
            )

    def add_photos(self, centre: Centre, spec: dict, rooms: list[str]) -> None:
        rng = random.Random(spec["slug"])
        count = 1 + sum(map(ord, spec["slug"])) % 3  # 1–3 photos, the same on every machine
        font = _find_cjk_font()
        for number, key in enumerate(rng.sample(rooms, min(count, len(rooms))), start=1):
            name, _capacity, _purpose, scene = demo.ROOMS[key]
            picture = draw_room(scene, rng, banner=spec["name"] if number == 1 else name, font=font)
            buffer = io.BytesIO()
            picture.save(buffer, format="JPEG", quality=90)
            upload = SimpleUploadedFile(f"{spec['slug']}-{number}.jpg", buffer.getvalue(), content_type="image/jpeg")
            services.centre_photo_add(centre=centre, upload=upload, caption=name)

    # Users --------------------------------------------------------------------------

    def load_users(self) -> None:
        # There is no user service yet; users are written here, validated like a form would.
        for login in demo.DEMO_LOGINS:
            user = User.objects.filter(phone=login["phone"]).first() or User(phone=login["phone"])
            user.name = login["name"]
            user.role = login["role"]
            user.area = self.areas[login["area"]] if "area" in login else None
            user.home_community = self.areas[login["home_community"]] if "home_community" in login else None
            user.is_active = True
            if not user.has_usable_password() or not user.check_password(demo.DEMO_PASSWORD):
                validate_password(demo.DEMO_PASSWORD, user)
                user.set_password(demo.DEMO_PASSWORD)
            user.full_clean()
            user.save()
            user.centres.set([self.centres[slug] for slug in login.get("centres", ())])


def room_keys(spec: dict) -> list[str]:
    set_name, *extra = spec["rooms"]
    keys = list(demo.ROOM_SETS[set_name])
    return keys + [key for key in extra if key not in keys]


def introduction(spec: dict) -> str:
    if spec.get("introduction"):
        return spec["introduction"]
    room_names = "、".join(demo.ROOMS[key][0] for key in room_keys(spec)[:4])
    standard = len(spec["functions"])
    text = (
        f"{spec['name']}位于{spec['address']}，建筑面积约 {spec['floor_area']} 平方米，"
        f"按照“1+6+X”功能布局，设有{room_names}等场所，提供 {standard} 项基本服务功能"
    )
    if spec.get("own"):
        text += "，并结合居民需求开设" + "、".join(spec["own"])
    text += "。"
    if spec["hours"] == "all_year":
        text += "实行“365天不打烊”：工作日延时服务至 20:30，周末和节假日错时开放，其余时间可预约服务。"
    elif spec["hours"] == "riders":
        text += "面向快递员、外卖骑手、网约车司机等新就业群体，全年每天开放，提供休息、热饭、充电换电和权益服务。"
    elif spec["hours"] in {"extended", "building"}:
        text += "工作日晚间延时开放，方便上班族下班后办事和参加活动。"
    elif spec["hours"] == "appointment":
        text += "周末及节假日提供预约服务，请提前电话或在线预约。"
    return text


# Photos ------------------------------------------------------------------------------

WIDTH, HEIGHT = 1200, 800
VANISH = (600, 350)
BACK = (330, 170, 870, 520)  # back wall: left, top, right, bottom

PALETTES = [
    {"wall": (244, 236, 222), "floor": (196, 150, 104), "accent": (200, 22, 29)},
    {"wall": (232, 240, 236), "floor": (170, 130, 95), "accent": (31, 120, 180)},
    {"wall": (250, 243, 230), "floor": (210, 178, 140), "accent": (220, 120, 40)},
    {"wall": (238, 238, 246), "floor": (150, 150, 160), "accent": (60, 150, 90)},
    {"wall": (246, 233, 233), "floor": (186, 140, 110), "accent": (180, 40, 60)},
]

CJK_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
]


def _find_cjk_font() -> str | None:
    return next((path for path in CJK_FONTS if Path(path).exists()), None)


def _shade(colour, factor: float):
    return tuple(max(0, min(255, int(channel * factor))) for channel in colour)


def _mix(a, b, t: float):
    return tuple(int(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _floor_point(u: float, t: float) -> tuple[float, float]:
    """A point on the floor: ``u`` from -1 (left) to 1 (right), ``t`` from 0 (back wall) to 1 (front)."""
    left, _top, right, bottom = BACK
    y = bottom + (HEIGHT - bottom) * t
    half = (right - left) / 2 + (WIDTH / 2 - (right - left) / 2) * t
    return WIDTH / 2 + u * half, y


def draw_room(scene: str, rng: random.Random, *, banner: str, font: str | None) -> Image.Image:
    """A pleasant, plainly drawn room: walls, floor, window, lights and the scene's furniture."""
    palette = rng.choice(PALETTES)
    image = Image.new("RGB", (WIDTH, HEIGHT), palette["wall"])
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = BACK

    # Back wall with a soft vertical gradient, ceiling, side walls and floor.
    for y in range(top, bottom):
        draw.line([(left, y), (right, y)], fill=_shade(palette["wall"], 1.02 - 0.08 * (y - top) / (bottom - top)))
    draw.polygon([(0, 0), (WIDTH, 0), (right, top), (left, top)], fill=_shade(palette["wall"], 1.04))
    draw.polygon([(0, 0), (left, top), (left, bottom), (0, HEIGHT)], fill=_shade(palette["wall"], 0.9))
    draw.polygon([(WIDTH, 0), (right, top), (right, bottom), (WIDTH, HEIGHT)], fill=_shade(palette["wall"], 0.86))
    floor = palette["floor"]
    draw.polygon([(left, bottom), (right, bottom), (WIDTH, HEIGHT), (0, HEIGHT)], fill=floor)
    for step in range(-8, 9):  # floorboards toward the vanishing point
        x_front = WIDTH / 2 + step * WIDTH / 16
        x_back = left + (right - left) * (step + 8) / 16
        draw.line([(x_back, bottom), (x_front, HEIGHT)], fill=_shade(floor, 0.9), width=2)
    for t in (0.15, 0.35, 0.6, 0.9):
        y = _floor_point(0, t)[1]
        draw.line([(_floor_point(-1, t)[0], y), (_floor_point(1, t)[0], y)], fill=_shade(floor, 0.93), width=1)
    draw.line([(left, bottom), (right, bottom)], fill=_shade(floor, 0.7), width=3)

    # Ceiling lights and a window on the left wall with sky outside.
    for x in (450, 600, 750):
        draw.ellipse([x - 55, 60, x + 55, 90], fill=(255, 252, 235), outline=(230, 225, 205))
    window = [(60, 150), (260, 200), (260, 430), (60, 520)]
    draw.polygon(window, fill=(150, 200, 235))
    draw.polygon([(60, 380), (260, 380), (260, 430), (60, 520)], fill=(120, 175, 120))
    draw.polygon(window, outline=(255, 255, 255), width=8)
    draw.line([(160, 175), (160, 475)], fill=(255, 255, 255), width=6)

    # A banner on the back wall, in the centre's accent colour.
    draw.rectangle([left + 60, top + 28, right - 60, top + 98], fill=palette["accent"])
    if font:
        size = 40 if len(banner) <= 10 else 30
        text_font = ImageFont.truetype(font, size)
        box = draw.textbbox((0, 0), banner, font=text_font)
        width = box[2] - box[0]
        draw.text(((left + right - width) / 2, top + 63 - size * 0.6), banner, font=text_font, fill=(255, 223, 120))
    else:
        for index in range(5):
            x = left + 110 + index * 85
            draw.regular_polygon((x, top + 63, 16), 5, fill=(255, 223, 120))

    SCENES.get(scene, _scene_hall)(draw, rng, palette)
    # Drawn large and scaled down: smooth edges, and a photo-like size.
    return image.resize((WIDTH * 3 // 4, HEIGHT * 3 // 4), Image.Resampling.BILINEAR, reducing_gap=2.0)


def _box(draw, u: float, t: float, width: float, height: float, colour, depth: float = 0.05) -> None:
    """A box standing on the floor, seen from the front, with a lighter top."""
    x, y = _floor_point(u, t)
    scale = 0.55 + 0.9 * t
    w, h = width * scale, height * scale
    draw.rectangle([x - w / 2, y - h, x + w / 2, y], fill=colour, outline=_shade(colour, 0.7))
    top = depth * 300 * scale
    draw.polygon(
        [
            (x - w / 2, y - h),
            (x + w / 2, y - h),
            (x + w / 2 - top * u * 0.3, y - h - top),
            (x - w / 2 - top * u * 0.3, y - h - top),
        ],
        fill=_shade(colour, 1.18),
    )


def _table(draw, u: float, t: float, colour, width: float = 160) -> None:
    x, y = _floor_point(u, t)
    scale = 0.55 + 0.9 * t
    w, h, leg = width * scale, 18 * scale, 55 * scale
    for dx in (-w / 2 + 6, w / 2 - 10):
        draw.rectangle([x + dx, y - leg, x + dx + 5 * scale, y], fill=_shade(colour, 0.6))
    draw.polygon(
        [
            (x - w / 2, y - leg),
            (x + w / 2, y - leg),
            (x + w / 2 - 15 * scale, y - leg - h),
            (x - w / 2 + 15 * scale, y - leg - h),
        ],
        fill=colour,
    )


def _chair(draw, u: float, t: float, colour) -> None:
    x, y = _floor_point(u, t)
    scale = 0.55 + 0.9 * t
    draw.rectangle([x - 18 * scale, y - 32 * scale, x + 18 * scale, y - 26 * scale], fill=colour)
    draw.rectangle([x - 18 * scale, y - 70 * scale, x + 18 * scale, y - 45 * scale], fill=_shade(colour, 0.85))
    draw.line([(x - 15 * scale, y - 26 * scale), (x - 15 * scale, y)], fill=_shade(colour, 0.5), width=3)
    draw.line([(x + 15 * scale, y - 26 * scale), (x + 15 * scale, y)], fill=_shade(colour, 0.5), width=3)


def _plant(draw, u: float, t: float) -> None:
    x, y = _floor_point(u, t)
    scale = 0.55 + 0.9 * t
    draw.rectangle([x - 18 * scale, y - 40 * scale, x + 18 * scale, y], fill=(170, 110, 80))
    for dx, dy, r in ((0, -80, 38), (-25, -60, 28), (25, -62, 30)):
        draw.ellipse(
            [x + (dx - r) * scale, y + (dy - r) * scale, x + (dx + r) * scale, y + (dy + r) * scale], fill=(70, 140, 80)
        )


def _shelves(draw, rng, x0: int, x1: int) -> None:
    top, bottom = BACK[1] + 120, BACK[3] - 5
    draw.rectangle([x0, top, x1, bottom], fill=(150, 105, 70))
    rows = 4
    for row in range(rows):
        y1 = top + 8 + row * (bottom - top - 8) / rows
        y2 = y1 + (bottom - top - 8) / rows - 8
        x = x0 + 6
        while x < x1 - 12:
            spine = rng.randint(8, 16)
            colour = rng.choice([(200, 60, 50), (40, 90, 160), (230, 180, 60), (60, 140, 100), (240, 240, 230)])
            draw.rectangle([x, y1 + rng.randint(0, 10), x + spine, y2], fill=colour)
            x += spine + 2


def _scene_hall(draw, rng, palette) -> None:
    left, top, right, bottom = BACK
    draw.rectangle([left + 120, top + 120, right - 120, bottom - 60], fill=(40, 45, 60))  # screen
    draw.rectangle([left + 130, top + 130, right - 130, bottom - 70], fill=(90, 140, 190))
    chair = rng.choice([(200, 40, 45), (40, 90, 160), (90, 90, 100)])
    for t in (0.2, 0.4, 0.62, 0.86):
        for u in (-0.75, -0.45, -0.15, 0.15, 0.45, 0.75):
            _chair(draw, u, t, chair)


def _scene_library(draw, rng, palette) -> None:
    left, _top, right, _bottom = BACK
    _shelves(draw, rng, left + 10, left + 240)
    _shelves(draw, rng, right - 240, right - 10)
    wood = (186, 140, 96)
    for u, t in ((-0.4, 0.45), (0.4, 0.45), (0.0, 0.8)):
        _table(draw, u, t, wood, width=220)
        _chair(draw, u - 0.15, t + 0.08, palette["accent"])
        _chair(draw, u + 0.15, t + 0.08, palette["accent"])
    _plant(draw, -0.9, 0.7)


def _scene_children(draw, rng, palette) -> None:
    left, top, right, bottom = BACK
    for index, colour in enumerate([(240, 90, 90), (250, 200, 60), (90, 180, 240), (120, 200, 120)]):
        x = left + 60 + index * 120
        draw.ellipse([x, top + 140, x + 80, top + 220], fill=colour)  # wall paintings
        draw.rectangle([x + 30, top + 220, x + 50, top + 300], fill=_shade(colour, 0.8))
    mats = [(250, 160, 160), (250, 220, 120), (160, 210, 250), (170, 225, 170)]
    for i, colour in enumerate(mats):
        u = -0.75 + i * 0.5
        a, b = _floor_point(u - 0.22, 0.55), _floor_point(u + 0.22, 0.95)
        draw.rectangle([a[0], a[1], b[0], b[1]], fill=colour)
    for u, t in ((-0.5, 0.3), (0.5, 0.3), (0.0, 0.55)):
        _table(draw, u, t, rng.choice([(250, 200, 60), (90, 180, 240), (240, 120, 110)]), width=130)
    for u in (-0.3, 0.2, 0.6):
        _box(draw, u, 0.85, 40, 40, rng.choice([(240, 90, 90), (90, 180, 240), (250, 200, 60)]))


def _scene_canteen(draw, rng, palette) -> None:
    left, top, right, bottom = BACK
    draw.rectangle([left + 20, bottom - 110, right - 20, bottom], fill=(200, 205, 210))  # serving counter
    draw.rectangle([left + 20, bottom - 120, right - 20, bottom - 105], fill=(160, 165, 170))
    for index in range(6):
        x = left + 60 + index * 80
        draw.rectangle([x, top + 130, x + 60, top + 170], fill=(255, 245, 220), outline=palette["accent"])
    for t in (0.35, 0.7):
        for u in (-0.55, 0.0, 0.55):
            _table(draw, u, t, (235, 235, 230), width=170)
            _chair(draw, u - 0.2, t + 0.1, palette["accent"])
            _chair(draw, u + 0.2, t + 0.1, palette["accent"])


def _scene_clinic(draw, rng, palette) -> None:
    left, top, right, bottom = BACK
    draw.rectangle([left + 40, top + 120, left + 200, bottom - 10], fill=(245, 245, 245), outline=(200, 200, 200))
    cx, cy = left + 120, top + 170
    draw.rectangle([cx - 30, cy - 10, cx + 30, cy + 10], fill=(220, 50, 50))
    draw.rectangle([cx - 10, cy - 30, cx + 10, cy + 30], fill=(220, 50, 50))
    _box(draw, 0.35, 0.45, 260, 60, (230, 240, 245))  # examination bed
    _table(draw, -0.35, 0.6, (240, 240, 240), width=180)
    _box(draw, -0.2, 0.6, 30, 100, (120, 130, 140))  # blood-pressure stand
    _chair(draw, -0.55, 0.75, (60, 140, 190))
    _plant(draw, 0.85, 0.8)


def _scene_sports(draw, rng, palette) -> None:
    a, b = _floor_point(-0.7, 0.1), _floor_point(0.7, 0.95)
    draw.rectangle([a[0], a[1], b[0], b[1]], fill=(80, 150, 110))  # sports floor
    for u, t in ((-0.35, 0.35), (0.35, 0.65)):
        x, y = _floor_point(u, t)
        scale = 0.55 + 0.9 * t
        w, h = 200 * scale, 45 * scale
        draw.rectangle([x - w / 2, y - 60 * scale, x + w / 2, y - 60 * scale + h], fill=(30, 90, 170))
        draw.line([(x, y - 60 * scale), (x, y - 60 * scale + h)], fill=(255, 255, 255), width=3)
        draw.rectangle([x - 3, y - 80 * scale, x + 3, y - 60 * scale], fill=(20, 20, 20))
        for dx in (-w / 2 + 10, w / 2 - 14):
            draw.rectangle([x + dx, y - 15 * scale, x + dx + 4, y], fill=(40, 40, 40))


def _scene_riders(draw, rng, palette) -> None:
    left, top, right, bottom = BACK
    for index in range(3):  # battery-swap cabinets with their little doors and lights
        x = right - 230 + index * 72
        draw.rectangle([x, top + 130, x + 64, bottom], fill=(70, 80, 95))
        for row in range(6):
            for col in range(2):
                dx, dy = x + 6 + col * 29, top + 140 + row * 36
                draw.rectangle([dx, dy, dx + 24, dy + 30], fill=(95, 105, 120))
                draw.ellipse(
                    [dx + 9, dy + 4, dx + 15, dy + 10],
                    fill=rng.choice([(60, 220, 120), (60, 220, 120), (250, 180, 40)]),
                )
    draw.rectangle(
        [left + 30, top + 130, left + 300, top + 250], fill=(250, 250, 245), outline=palette["accent"], width=4
    )
    for u, t in ((-0.55, 0.45), (-0.1, 0.8)):  # sofas
        _box(draw, u, t, 260, 45, (50, 120, 170))
        _box(draw, u, t - 0.02, 260, 85, (40, 100, 150), depth=0.02)
    _table(draw, 0.3, 0.6, (230, 230, 225), width=150)
    _box(draw, 0.75, 0.75, 60, 120, (240, 240, 240))  # water dispenser
    _plant(draw, -0.9, 0.85)


def _scene_service(draw, rng, palette) -> None:
    left, top, right, bottom = BACK
    draw.rectangle([left + 150, top + 115, right - 150, top + 150], fill=(20, 30, 40))  # queue number board
    for index in range(5):
        x = left + 170 + index * 45
        draw.text((x, top + 122), f"{rng.randint(100, 999)}", fill=(255, 90, 60))
    for index in range(4):  # counters with glass partitions
        x0 = left + 25 + index * 125
        draw.rectangle([x0, bottom - 90, x0 + 115, bottom], fill=(235, 235, 238), outline=(180, 180, 185))
        draw.rectangle([x0 + 10, bottom - 170, x0 + 105, bottom - 90], fill=(205, 228, 240))
        draw.rectangle([x0, bottom - 95, x0 + 115, bottom - 88], fill=palette["accent"])
    for u in (-0.6, -0.2, 0.2, 0.6):
        _chair(draw, u, 0.55, (60, 110, 170))
        _chair(draw, u, 0.8, (60, 110, 170))
    _box(draw, 0.88, 0.45, 55, 150, (60, 90, 140))  # self-service kiosk
    _plant(draw, -0.9, 0.6)


def _scene_lounge(draw, rng, palette) -> None:
    sofa = rng.choice([(170, 110, 80), (120, 140, 110), (150, 90, 100)])
    for u, t in ((-0.5, 0.4), (0.5, 0.4)):
        _box(draw, u, t, 240, 45, sofa)
        _box(draw, u, t - 0.02, 240, 85, _shade(sofa, 0.85), depth=0.02)
    _table(draw, 0.0, 0.6, (200, 160, 110), width=180)
    x, y = _floor_point(0.0, 0.6)
    draw.ellipse([x - 20, y - 100, x + 20, y - 80], fill=(250, 250, 250))  # teapot
    _plant(draw, -0.85, 0.8)
    _plant(draw, 0.85, 0.8)


def _scene_office(draw, rng, palette) -> None:
    left, top, right, bottom = BACK
    draw.rectangle([left + 180, top + 130, right - 180, bottom - 90], fill=(45, 50, 60))
    draw.rectangle([left + 188, top + 138, right - 188, bottom - 98], fill=(120, 170, 210))
    _table(draw, 0.0, 0.55, (150, 110, 80), width=420)
    for u in (-0.45, -0.15, 0.15, 0.45):
        _chair(draw, u, 0.38, (70, 70, 80))
        _chair(draw, u, 0.75, (70, 70, 80))
    _plant(draw, 0.9, 0.7)
    # a bar chart on the screen
    for index, height in enumerate((40, 70, 55, 95, 80)):
        x = left + 215 + index * 30
        draw.rectangle([x, bottom - 105 - height, x + 20, bottom - 105], fill=(255, 220, 120))


SCENES = {
    "hall": _scene_hall,
    "library": _scene_library,
    "children": _scene_children,
    "canteen": _scene_canteen,
    "clinic": _scene_clinic,
    "sports": _scene_sports,
    "riders": _scene_riders,
    "service": _scene_service,
    "lounge": _scene_lounge,
    "office": _scene_office,
}
