import pytest


@pytest.fixture(autouse=True)
def _english(english):
    """The ratings' tests read messages and pages in English; the Chinese catalogue has
    them all (tests/portal/test_translations.py checks it)."""
    yield
