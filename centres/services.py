"""Writes to areas and centres. Views and commands call these, never ``save()`` directly."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from portal.images import prepare_image

from .hours import CentreHours
from .models import Area, Centre, CentrePhoto, DateException, Day, OpeningPeriod, Room, ServiceFunction
from .page_cache import public_pages_changed

# Words that are staff URLs of their own under /staff/centres/.
RESERVED_SLUGS = {"new"}
CENTRE_FIELDS = (
    "name",
    "kind",
    "area",
    "address",
    "floor_area",
    "phone",
    "introduction",
    "is_published",
    "reminder_hours",
)


def area_create(*, name: str, level: str, parent: Area | None = None, city: str = "") -> Area:
    area = Area(name=name.strip(), level=level, parent=parent, city=city)
    area.full_clean()
    area.save()
    public_pages_changed()
    return area


def area_update(*, area: Area, name: str, city: str = "") -> Area:
    area.name = name.strip()
    area.city = city
    area.full_clean()
    area.save(update_fields=["name", "city"])
    public_pages_changed()
    return area


def _street_and_district(area: Area) -> tuple[Area, Area]:
    if area.level == Area.Level.COMMUNITY:
        street = area.parent
    elif area.level == Area.Level.STREET:
        street = area
    else:
        raise ValidationError({"area": _("A centre belongs to a community or to a street/town, not to a district.")})
    return street, street.parent


def _unique_slug(name: str, wanted: str = "") -> str:
    base = slugify(wanted) or slugify("".join(lazy_pinyin(name)))[:60] or "centre"
    slug, counter = base, 2
    while slug in RESERVED_SLUGS or Centre.objects.filter(slug=slug).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


def centre_create(*, name: str, area: Area, address: str, slug: str = "", **fields) -> Centre:
    street, district = _street_and_district(area)
    centre = Centre(
        name=name.strip(),
        slug=_unique_slug(name, slug),
        area=area,
        street=street,
        district=district,
        address=address,
        **fields,
    )
    centre.full_clean()
    centre.save()
    public_pages_changed()
    return centre


def centre_update(*, centre: Centre, **fields) -> Centre:
    for name, value in fields.items():
        if name not in CENTRE_FIELDS:
            raise TypeError(f"centre_update() cannot change {name!r}")
        setattr(centre, name, value)
    centre.street, centre.district = _street_and_district(centre.area)
    centre.full_clean()
    centre.save()
    public_pages_changed()
    return centre


def _check_no_overlap(slots: list[tuple[dt.time, dt.time]], label: str) -> None:
    slots = sorted(slots)
    for (opens, closes), (next_opens, next_closes) in zip(slots, slots[1:], strict=False):
        if next_opens < closes:
            raise ValidationError(
                _("Two periods on %(day)s overlap (%(first)s and %(second)s).")
                % {
                    "day": label,
                    "first": f"{opens:%H:%M}–{closes:%H:%M}",
                    "second": f"{next_opens:%H:%M}–{next_closes:%H:%M}",
                }
            )


def centre_hours_replace(*, centre: Centre, periods: Iterable[dict]) -> list[OpeningPeriod]:
    """Replace the centre's weekly periods with ``periods`` (dicts of day, kind, opens, closes)."""
    rows = [OpeningPeriod(centre=centre, **period) for period in periods]
    by_day: dict[int, list] = {}
    for row in rows:
        row.full_clean(exclude=["centre"])
        by_day.setdefault(row.day, []).append((row.opens, row.closes))
    for day, slots in by_day.items():
        _check_no_overlap(slots, str(Day(day).label))
    with transaction.atomic():
        Centre.objects.select_for_update().filter(pk=centre.pk).first()
        centre.opening_periods.all().delete()
        OpeningPeriod.objects.bulk_create(rows)
        centre_hours_summary_refresh(centre=centre)
        _sessions_follow_hours(centre)
    return rows


def _check_sessions_still_fit(centre: Centre, date: dt.date, exceptions: list[DateException]) -> None:
    """Refuse to close a day, or to shorten its hours, under sessions planned on it:
    residents expect them to happen, so staff move or cancel them first."""
    from activities.services import sessions_outside_hours

    hours = CentreHours(list(centre.opening_periods.all()), exceptions)
    outside = sessions_outside_hours(centre=centre, date=date, hours=hours)
    if outside:
        raise ValidationError(
            _("Sessions are planned on %(date)s outside these hours: %(sessions)s. Move or cancel them first.")
            % {"date": f"{date:%Y-%m-%d}", "sessions": "; ".join(outside)}
        )


def _sessions_follow_hours(centre: Centre) -> None:
    """Whether a session is after-hours service follows from the hours: work it out again."""
    from activities.services import occurrences_refresh_after_hours

    occurrences_refresh_after_hours(centre=centre)


def centre_hours_summary_refresh(*, centre: Centre) -> None:
    hours = CentreHours(list(OpeningPeriod.objects.filter(centre=centre)))
    centre.opens_evenings = hours.covers_evenings
    centre.opens_weekends = hours.covers_weekends
    centre.opens_all_year = hours.covers_all_year
    centre.save(update_fields=["opens_evenings", "opens_weekends", "opens_all_year", "updated_at"])
    public_pages_changed()


def date_exception_add(
    *,
    centre: Centre,
    date: dt.date,
    is_closed: bool,
    kind: str = "regular",
    opens: dt.time | None = None,
    closes: dt.time | None = None,
    note: str = "",
) -> DateException:
    exception = DateException(
        centre=centre, date=date, is_closed=is_closed, kind=kind, opens=opens, closes=closes, note=note
    )
    exception.full_clean()
    with transaction.atomic():
        Centre.objects.select_for_update().filter(pk=centre.pk).first()
        same_day = list(centre.date_exceptions.filter(date=date))
        if is_closed and same_day:
            raise ValidationError(
                _("%(date)s already has special hours. Remove them before marking the day closed.")
                % {"date": f"{date:%Y-%m-%d}"}
            )
        if not is_closed and any(e.is_closed for e in same_day):
            raise ValidationError(
                _("%(date)s is already marked closed. Remove that before adding hours.") % {"date": f"{date:%Y-%m-%d}"}
            )
        if not is_closed:
            _check_no_overlap([(e.opens, e.closes) for e in same_day] + [(opens, closes)], f"{date:%Y-%m-%d}")
        _check_sessions_still_fit(centre, date, [*same_day, exception])
        exception.save()
        _sessions_follow_hours(centre)
        public_pages_changed()
    return exception


def date_exception_delete(*, exception: DateException) -> None:
    with transaction.atomic():
        exception.delete()
        _sessions_follow_hours(exception.centre)
        public_pages_changed()


def service_function_save(*, centre: Centre, function: ServiceFunction | None = None, **fields) -> ServiceFunction:
    function = function or ServiceFunction(centre=centre)
    for name, value in fields.items():
        setattr(function, name, value)
    function.full_clean()
    function.save()
    public_pages_changed()
    return function


def room_save(*, centre: Centre, room: Room | None = None, **fields) -> Room:
    room = room or Room(centre=centre)
    for name, value in fields.items():
        setattr(room, name, value)
    room.full_clean()
    room.save()
    public_pages_changed()
    return room


def centre_photo_add(*, centre: Centre, upload, caption: str = "") -> CentrePhoto:
    prepared = prepare_image(upload)
    position = centre.photos.count()
    photo = CentrePhoto(centre=centre, caption=caption, position=position)
    photo.image.save(prepared.image.name, prepared.image, save=False)
    photo.thumbnail.save(prepared.thumbnail.name, prepared.thumbnail, save=False)
    photo.save()
    public_pages_changed()
    return photo


def centre_photo_delete(*, photo: CentrePhoto) -> None:
    image, thumbnail = photo.image, photo.thumbnail
    photo.delete()
    public_pages_changed()
    transaction.on_commit(lambda: (image.delete(save=False), thumbnail.delete(save=False)))


def service_function_delete(*, function: ServiceFunction) -> None:
    function.delete()
    public_pages_changed()


def room_delete(*, room: Room) -> None:
    """Delete a room. Refused with a ``ValidationError`` while anything still uses it."""
    from django.db.models import ProtectedError, RestrictedError

    try:
        with transaction.atomic():
            room.delete()
            public_pages_changed()
    except (ProtectedError, RestrictedError) as error:
        raise ValidationError(
            _("%(room)s is still in use, for example by activities. Move them to another room first.")
            % {"room": room.name}
        ) from error
