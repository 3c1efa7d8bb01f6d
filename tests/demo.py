"""The demo data loaded once for a test module: ``load_demo_data`` inside a transaction
rolled back when the module is done, its files in a media folder of the module's own.
A module uses it with ``pytestmark = pytest.mark.usefixtures("demo_loaded")`` after
importing ``demo_loaded``, and overrides the suite's ``_media_root`` with a no-op so its
tests keep that folder."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


def load_demo():
    call_command("load_demo_data", verbosity=0)


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)
