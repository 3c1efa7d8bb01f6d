import re

import pytest
from django.utils import translation

from portal import sms
from tests.centres.factories import CentreFactory, CommunityFactory, DistrictFactory, StreetFactory

PASSWORD = "Donghu-2026-lake"


@pytest.fixture(autouse=True)
def _english():
    """Pages and messages in English (the catalogue may translate them into Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def sms_outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def code_in(message: sms.SmsMessage) -> str:
    return re.search(r"\b(\d{6})\b", message.message).group(1)


@pytest.fixture
def fengze(db):
    """丰泽区 → 东湖街道 → 圣湖社区, with a centre; and 泉秀街道 → 华丰社区."""
    district = DistrictFactory(name="丰泽区", city="泉州市")
    donghu = StreetFactory(name="东湖街道", parent=district)
    shenghu = CommunityFactory(name="圣湖社区", parent=donghu)
    quanxiu = StreetFactory(name="泉秀街道", parent=district)
    huafeng = CommunityFactory(name="华丰社区", parent=quanxiu)
    return {
        "district": district,
        "street": donghu,
        "community": shenghu,
        "other_street": quanxiu,
        "other_community": huafeng,
        "centre": CentreFactory(name="圣湖社区党群服务中心", area=shenghu),
        "other_centre": CentreFactory(name="华丰社区党群服务中心", area=huafeng),
    }


@pytest.fixture
def jindong(db):
    """Another district: 金东区 → 多湖街道 → 光南社区, with a centre."""
    district = DistrictFactory(name="金东区", city="金华市")
    duohu = StreetFactory(name="多湖街道", parent=district)
    guangnan = CommunityFactory(name="光南社区", parent=duohu)
    return {
        "district": district,
        "street": duohu,
        "community": guangnan,
        "centre": CentreFactory(name="光南社区党群服务中心", area=guangnan),
    }
