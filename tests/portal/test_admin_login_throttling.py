import pytest
from axes.models import AccessAttempt

from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_login_failures_lock_the_number_and_address_pair(client, settings):
    UserFactory(phone="13900009999", is_staff=True, is_superuser=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "13900009999", "password": "wrong-password"})

    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == ("13900009999", "127.0.0.1", 5)
    response = client.post("/admin/login/", {"username": "13900009999", "password": "Fengze-2026-portal"})
    assert response.status_code == 429
