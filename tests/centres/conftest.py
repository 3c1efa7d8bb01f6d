import pytest

from tests.portal.factories import CentreStaffFactory


@pytest.fixture
def staff_client(client, centre):
    """A client logged in as staff of the module's ``centre``."""
    client.force_login(CentreStaffFactory(centres=[centre]))
    return client
