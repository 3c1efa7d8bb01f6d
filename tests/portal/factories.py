import factory
from django.conf import settings
from django.utils import timezone

from portal.models import PhoneCode, User
from portal.services import phone_code_hash

DEFAULT_PASSWORD = "Fengze-2026-portal"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("phone",)
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"139{n:08d}")
    name = factory.Sequence(lambda n: f"居民{n}")
    role = User.Role.RESIDENT
    # Messages are written in the recipient's language; most tests read them in English.
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def centres(self, create, extracted, **kwargs):
        if create and extracted:
            self.centres.set(extracted)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class CentreStaffFactory(UserFactory):
    role = User.Role.CENTRE_STAFF
    name = factory.Sequence(lambda n: f"专管员{n}")


class StreetStaffFactory(UserFactory):
    role = User.Role.STREET_STAFF
    name = factory.Sequence(lambda n: f"街道干部{n}")


class DistrictStaffFactory(UserFactory):
    role = User.Role.DISTRICT_STAFF
    name = factory.Sequence(lambda n: f"区委组织部{n}")


class RepresentativeFactory(UserFactory):
    role = User.Role.REPRESENTATIVE
    name = factory.Sequence(lambda n: f"群众代表{n}")


class PhoneCodeFactory(factory.django.DjangoModelFactory):
    """A code whose plain value is ``code`` (default 123456), hashed as the services hash it."""

    class Meta:
        model = PhoneCode

    class Params:
        code = "123456"

    phone = factory.Sequence(lambda n: f"137{n:08d}")
    purpose = PhoneCode.Purpose.SIGN_UP
    code_hash = factory.LazyAttribute(lambda o: phone_code_hash(phone=o.phone, purpose=o.purpose, code=o.code))
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + settings.SMS_CODE_TTL)
