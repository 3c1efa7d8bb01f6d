"""Writes for accounts: one-time phone codes, sign-up, password reset, the user's own
details, and staff accounts.

Each service validates, writes inside ``transaction.atomic`` and schedules its side
effects (text messages, unlocking a login) with ``transaction.on_commit``. Refusals are
``ValidationError``s keyed by the field they are about, so a form can show each message
next to its field.
"""

import datetime as dt
import math
import secrets
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from centres.models import Area, Centre

from .models import PhoneCode, User, mainland_mobile_validator
from .permissions import STAFF_ACCOUNT_ROLES, managed_district, staff_accounts_visible_to
from .sms import send_sms

CODE_DIGITS = 6
# Expired codes are kept a day longer, so the daily limit can still count them.
PHONE_CODE_KEEP_AFTER_EXPIRY = dt.timedelta(days=1)
# Namespace of the PostgreSQL advisory locks taken per phone number (two-key form).
_PHONE_LOCK_NAMESPACE = 0x50484F4E & 0x7FFFFFFF


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _registered_error() -> ValidationError:
    return _field_error(
        "phone",
        _("This mobile number is already registered. Please log in, or reset your password if you have forgotten it."),
        "registered",
    )


def _validate_phone(phone: str, *, field: str = "phone") -> None:
    try:
        mainland_mobile_validator(phone)
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from None


def _validate_password(password: str, user: User, *, field: str) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from None


def _validate_name(name: str, errors: dict, *, required: bool) -> str:
    name = name.strip()
    max_length = User._meta.get_field("name").max_length
    if required and not name:
        errors["name"] = [ValidationError(_("Enter the person's name."), code="required")]
    elif len(name) > max_length:
        errors["name"] = [
            ValidationError(
                _("Keep the name to %(max)d characters or fewer."), code="max_length", params={"max": max_length}
            )
        ]
    return name


# One-time codes ------------------------------------------------------------------------


def phone_code_hash(*, phone: str, purpose: str, code: str) -> str:
    """Keyed with SECRET_KEY: a copy of the table alone does not give the codes away."""
    return salted_hmac("portal.PhoneCode", f"{phone}:{purpose}:{code}", algorithm="sha256").hexdigest()


def _lock_phone(phone: str) -> None:
    """Serialise code requests for one number, so two at once cannot both pass the limits."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_PHONE_LOCK_NAMESPACE, phone])


def code_ttl_minutes() -> int:
    return int(settings.SMS_CODE_TTL.total_seconds() // 60)


def _start_of_today(now: dt.datetime) -> dt.datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def phone_code_send(*, phone: str, purpose: str) -> PhoneCode:
    """Make a new 6-digit code for ``phone`` and text it once the transaction commits.

    Refused when the last code for this number and purpose is younger than
    ``SMS_CODE_RESEND_INTERVAL``, when the number has had ``SMS_CODES_PER_PHONE_PER_DAY``
    codes today, and, for signing up, when the number is already registered.

    For a password reset of a number with no active account the code is made (so the
    limits behave the same) but not sent: nobody learns whether a number is registered.
    """
    _validate_phone(phone)
    if purpose not in PhoneCode.Purpose.values:
        raise ValueError(f"Unknown phone code purpose: {purpose!r}")
    with transaction.atomic():
        _lock_phone(phone)
        now = timezone.now()
        if purpose == PhoneCode.Purpose.SIGN_UP and User.objects.filter(phone=phone).exists():
            raise _registered_error()
        latest = PhoneCode.objects.filter(phone=phone, purpose=purpose).order_by("-created_at", "-pk").first()
        if latest is not None and now - latest.created_at < settings.SMS_CODE_RESEND_INTERVAL:
            wait = math.ceil((settings.SMS_CODE_RESEND_INTERVAL - (now - latest.created_at)).total_seconds())
            message = ngettext(
                "A code was sent a moment ago. Please wait %(seconds)d second before asking for another one.",
                "A code was sent a moment ago. Please wait %(seconds)d seconds before asking for another one.",
                wait,
            ) % {"seconds": wait}
            raise _field_error("phone", message, "resend_too_soon")
        sent_today = PhoneCode.objects.filter(phone=phone, created_at__gte=_start_of_today(now)).count()
        if sent_today >= settings.SMS_CODES_PER_PHONE_PER_DAY:
            raise _field_error(
                "phone",
                _("Too many codes have been sent to this number today. Please try again tomorrow."),
                "daily_limit",
            )
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        phone_code = PhoneCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=phone_code_hash(phone=phone, purpose=purpose, code=code),
            created_at=now,
            expires_at=now + settings.SMS_CODE_TTL,
        )
        deliver = (
            purpose != PhoneCode.Purpose.PASSWORD_RESET or User.objects.filter(phone=phone, is_active=True).exists()
        )
        if deliver:
            message = _(
                "Your verification code is %(code)s, valid for %(minutes)d minutes. Do not tell it to anyone."
            ) % {"code": code, "minutes": code_ttl_minutes()}
            transaction.on_commit(partial(send_sms, phone=phone, message=message))
    return phone_code


def _phone_code_consume(*, phone: str, purpose: str, code: str) -> tuple[PhoneCode | None, ValidationError | None]:
    """Check ``code`` against the latest code for this number and purpose, under a row lock.

    Only the latest code counts. A wrong try is counted on the row and the error is
    *returned*, not raised, so that the caller can commit the count before refusing:
    otherwise a rolled-back count would allow unlimited guessing. A right code is marked
    used. Must run inside ``transaction.atomic``.
    """
    phone_code = (
        PhoneCode.objects.select_for_update()
        .filter(phone=phone, purpose=purpose)
        .order_by("-created_at", "-pk")
        .first()
    )
    if phone_code is None:
        return None, _field_error("code", _("Please ask for a verification code first."), "no_code")
    if phone_code.used_at is not None:
        return phone_code, _field_error(
            "code", _("This code has already been used. Please ask for a new code."), "used"
        )
    max_attempts = settings.SMS_CODE_MAX_ATTEMPTS
    if phone_code.attempts >= max_attempts:
        return phone_code, _field_error(
            "code", _("This code was entered wrongly too many times. Please ask for a new code."), "too_many_attempts"
        )
    now = timezone.now()
    if phone_code.expires_at <= now:
        return phone_code, _field_error("code", _("This code has expired. Please ask for a new code."), "expired")
    if not constant_time_compare(phone_code.code_hash, phone_code_hash(phone=phone, purpose=purpose, code=code)):
        phone_code.attempts += 1
        phone_code.save(update_fields=["attempts"])
        left = max_attempts - phone_code.attempts
        if left <= 0:
            message = _("The code is wrong, and it can no longer be used. Please ask for a new code.")
        else:
            message = ngettext(
                "The code is wrong. Please check the text message. You can try %(left)d more time.",
                "The code is wrong. Please check the text message. You can try %(left)d more times.",
                left,
            ) % {"left": left}
        return phone_code, _field_error("code", message, "wrong")
    phone_code.used_at = now
    phone_code.save(update_fields=["used_at"])
    return phone_code, None


def phone_code_verify(*, phone: str, purpose: str, code: str) -> PhoneCode:
    """Use up the code, or raise. A wrong try is counted even though this raises, so call
    it outside any transaction that a refusal would roll back."""
    with transaction.atomic():
        phone_code, error = _phone_code_consume(phone=phone, purpose=purpose, code=code)
    if error is not None:
        raise error
    return phone_code


def phone_codes_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete codes that expired more than a day ago; return how many went."""
    now = now or timezone.now()
    deleted, _by_model = PhoneCode.objects.filter(expires_at__lt=now - PHONE_CODE_KEEP_AFTER_EXPIRY).delete()
    return deleted


# Residents -----------------------------------------------------------------------------


def resident_sign_up(*, phone: str, code: str, password: str, name: str = "", language: str = "") -> User:
    """Register a resident whose number is proven by a sign-up code. ``language``, the
    one they signed up in, is the language of their messages until they choose another.

    A refusal changes nothing, except that a wrong code is counted against the code.
    """
    _validate_phone(phone)
    errors: dict = {}
    name = _validate_name(name, errors, required=False)
    if errors:
        raise ValidationError(errors)
    if User.objects.filter(phone=phone).exists():
        raise _registered_error()
    _validate_password(password, User(phone=phone, name=name), field="password")
    user = None
    try:
        with transaction.atomic():
            _phone_code, error = _phone_code_consume(phone=phone, purpose=PhoneCode.Purpose.SIGN_UP, code=code)
            if error is None:
                user = User.objects.create_user(
                    phone=phone,
                    password=password,
                    name=name,
                    role=User.Role.RESIDENT,
                    language=_supported_language(language),
                )
    except IntegrityError:
        # Someone registered the same number a moment ago; the code is left unused.
        raise _registered_error() from None
    if error is not None:
        raise error
    return user


def _supported_language(code: str) -> str:
    codes = [language for language, _label in settings.LANGUAGES]
    return code if code in codes else settings.LANGUAGE_CODE


def _unlock_login(phone: str) -> None:
    from axes.utils import reset

    reset(username=phone)


def password_reset_with_code(*, phone: str, code: str, new_password: str) -> None:
    """Set a new password for the account of ``phone``, proven by a password-reset code.

    Refusals read the same whether or not the number is registered. A successful reset
    also lifts a login lockout of that number.
    """
    _validate_phone(phone)
    _validate_password(new_password, User(phone=phone), field="new_password")
    with transaction.atomic():
        _phone_code, error = _phone_code_consume(phone=phone, purpose=PhoneCode.Purpose.PASSWORD_RESET, code=code)
        if error is None:
            user = User.objects.select_for_update().filter(phone=phone, is_active=True).first()
            if user is None:
                error = _field_error("code", _("The code is wrong. Please ask for a new code."), "wrong")
            else:
                # Raising here rolls back the use of the code, so the person can try again.
                _validate_password(new_password, user, field="new_password")
                user.set_password(new_password)
                user.save(update_fields=["password"])
                transaction.on_commit(partial(_unlock_login, phone))
    if error is not None:
        raise error


def user_profile_update(*, user: User, name: str, home_community: Area | None) -> User:
    errors: dict = {}
    name = _validate_name(name, errors, required=False)
    if home_community is not None and home_community.level != Area.Level.COMMUNITY:
        errors["home_community"] = [ValidationError(_("Choose a community or village."), code="invalid")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user.name = name
        user.home_community = home_community
        user.save(update_fields=["name", "home_community"])
    return user


def user_password_change(*, user: User, old_password: str, new_password: str) -> User:
    if not user.check_password(old_password):
        raise _field_error("old_password", _("Your current password is wrong. Please type it again."), "wrong")
    _validate_password(new_password, user, field="new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
    return user


# Staff accounts ------------------------------------------------------------------------


def _district_managed_by(user: User) -> Area:
    district = managed_district(user)
    if district is None:
        raise PermissionDenied("Only district staff manage staff accounts.")
    return district


def _validate_staff_scope(
    *, district: Area, role: str, area: Area | None, centres: list[Centre], errors: dict
) -> Area | None:
    """Check that the scope fits the role and lies in ``district``; return the area to store."""
    if role not in STAFF_ACCOUNT_ROLES:
        errors["role"] = [ValidationError(_("Choose one of the staff roles."), code="invalid")]
        return None
    if role == User.Role.CENTRE_STAFF:
        if area is not None:
            errors["area"] = [ValidationError(_("Centre staff are given centres, not an area."), code="invalid")]
        if not centres:
            errors["centres"] = [ValidationError(_("Choose at least one centre for centre staff."), code="required")]
        elif any(centre.district_id != district.pk for centre in centres):
            errors["centres"] = [
                ValidationError(
                    _("Choose only centres of %(district)s."), code="outside_district", params={"district": district}
                )
            ]
        return None
    if centres:
        errors["centres"] = [ValidationError(_("Only centre staff are given centres."), code="invalid")]
    if role == User.Role.DISTRICT_STAFF:
        if area is None or area.pk != district.pk:
            errors["area"] = [
                ValidationError(
                    _("District staff work for %(district)s."), code="outside_district", params={"district": district}
                )
            ]
        return area
    if role == User.Role.STREET_STAFF:
        if area is None:
            errors["area"] = [ValidationError(_("Choose the street or town this person works for."), code="required")]
        elif area.level != Area.Level.STREET or area.parent_id != district.pk:
            errors["area"] = [
                ValidationError(
                    _("Choose a street or town of %(district)s."),
                    code="outside_district",
                    params={"district": district},
                )
            ]
        return area
    # A resident representative speaks for one community.
    if area is None:
        errors["area"] = [ValidationError(_("Choose the community this representative belongs to."), code="required")]
    elif area.level != Area.Level.COMMUNITY or area.parent.parent_id != district.pk:
        errors["area"] = [
            ValidationError(
                _("Choose a community or village of %(district)s."),
                code="outside_district",
                params={"district": district},
            )
        ]
    return area


def staff_account_create(
    *,
    created_by: User,
    phone: str,
    name: str,
    role: str,
    area: Area | None = None,
    centres: Iterable[Centre] = (),
    password: str,
) -> User:
    """A district staff member opens an account for staff or a representative of their district."""
    district = _district_managed_by(created_by)
    centres = list(centres)
    errors: dict = {}
    try:
        _validate_phone(phone)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    name = _validate_name(name, errors, required=True)
    area = _validate_staff_scope(district=district, role=role, area=area, centres=centres, errors=errors)
    if "phone" not in errors and User.objects.filter(phone=phone).exists():
        errors["phone"] = [ValidationError(_("This mobile number already has an account."), code="registered")]
    try:
        _validate_password(password, User(phone=phone, name=name), field="password")
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            user = User.objects.create_user(phone=phone, password=password, name=name, role=role, area=area)
            if centres:
                user.centres.set(centres)
    except IntegrityError:
        raise _field_error("phone", _("This mobile number already has an account."), "registered") from None
    return user


def _lock_visible_account(by: User, user: User) -> User:
    locked = staff_accounts_visible_to(by).select_for_update().filter(pk=user.pk).first()
    if locked is None:
        raise PermissionDenied("This account is outside the district.")
    return locked


def staff_account_update(
    *,
    updated_by: User,
    user: User,
    name: str,
    role: str,
    area: Area | None = None,
    centres: Iterable[Centre] = (),
) -> User:
    """Change the name, role and scope of a staff or representative account of the district."""
    district = _district_managed_by(updated_by)
    centres = list(centres)
    errors: dict = {}
    name = _validate_name(name, errors, required=True)
    area = _validate_staff_scope(district=district, role=role, area=area, centres=centres, errors=errors)
    with transaction.atomic():
        account = _lock_visible_account(updated_by, user)
        if account.pk == updated_by.pk and (role != account.role or getattr(area, "pk", None) != account.area_id):
            errors.setdefault("role", []).append(
                ValidationError(
                    _("You cannot change your own role or area. Ask another district staff member."), code="self"
                )
            )
        if errors:
            raise ValidationError(errors)
        account.name = name
        account.role = role
        account.area = area
        account.save(update_fields=["name", "role", "area"])
        account.centres.set(centres)
    return account


def staff_account_set_active(*, changed_by: User, user: User, is_active: bool) -> User:
    """Deactivate (no more logging in) or reactivate a staff or representative account."""
    _district_managed_by(changed_by)
    with transaction.atomic():
        account = _lock_visible_account(changed_by, user)
        if account.pk == changed_by.pk and not is_active:
            raise ValidationError(_("You cannot deactivate your own account."), code="self")
        if account.is_active != is_active:
            account.is_active = is_active
            account.save(update_fields=["is_active"])
    return account
