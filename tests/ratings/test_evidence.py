"""Evidence files (ratings/evidence.py): judged by content, not by name; size and count
limits; only the centre's own staff, only while the cycle is open; a refused file
changes nothing."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ratings import evidence as services
from ratings.cycle import CycleRefused
from ratings.models import Application, AuditEntry, Cycle, Evidence
from tests.centres.factories import CentreFactory
from tests.portal.factories import CentreStaffFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(out, "JPEG")
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.fixture
def application():
    centre = CentreFactory()
    cycle = Cycle.objects.create(
        district=centre.district,
        name="2026年度",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        budget=Decimal(0),
        status=Cycle.Status.OPEN,
    )
    application = Application.objects.create(cycle=cycle, centre=centre, applied_stars=4)
    application.staff = CentreStaffFactory(centres=[centre])
    return application


def test_a_pdf_a_png_and_a_jpeg_are_stored_under_new_names(application):
    for name, data in (("台账.pdf", PDF), ("活动照片.png", png_bytes()), ("IMG_0001.JPG", jpeg_bytes())):
        services.evidence_add(application=application, by=application.staff, upload=upload(name, data))

    names = [e.file.name for e in Evidence.objects.order_by("pk")]
    assert [name.rsplit(".", 1)[1] for name in names] == ["pdf", "png", "jpg"]
    assert all(name.startswith(f"star-ratings/{application.cycle_id}/{application.centre_id}/") for name in names)
    assert AuditEntry.objects.filter(action="evidence_added").count() == 3


def test_a_png_renamed_pdf_is_stored_as_the_png_it_is(application):
    evidence = services.evidence_add(
        application=application, by=application.staff, upload=upload("report.pdf", png_bytes())
    )
    assert evidence.file.name.endswith(".png")


@pytest.mark.parametrize(
    "name,data",
    [
        ("photo.jpg", b"<script>alert(1)</script>"),
        ("report.pdf", b"#!/bin/sh\nrm -rf /\n"),
        ("page.png", b"<html><body>not an image</body></html>"),
        ("icon.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ],
)
def test_a_script_or_other_file_is_refused_and_nothing_is_stored(application, name, data):
    with pytest.raises(ValidationError) as error:
        services.evidence_add(application=application, by=application.staff, upload=upload(name, data))

    assert error.value.messages == ["This file is not a JPEG or PNG image or a PDF document. Choose a photo or a PDF."]
    assert Evidence.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_a_file_over_10_mb_is_refused(application):
    big = upload("big.pdf", PDF + b"0" * (10 * 1024 * 1024))

    with pytest.raises(ValidationError) as error:
        services.evidence_add(application=application, by=application.staff, upload=big)

    assert error.value.messages == ["This file is 10.0\xa0MB; evidence files may be at most 10.0\xa0MB."]
    assert Evidence.objects.count() == 0


def test_the_21st_file_is_refused(application):
    for n in range(20):
        services.evidence_add(application=application, by=application.staff, upload=upload(f"{n}.pdf", PDF))

    with pytest.raises(ValidationError, match="at most 20 files"):
        services.evidence_add(application=application, by=application.staff, upload=upload("21.pdf", PDF))
    assert Evidence.objects.count() == 20


def test_only_the_centres_own_staff_add_and_remove_evidence(application):
    stranger = CentreStaffFactory(centres=[CentreFactory()])
    with pytest.raises(CycleRefused):
        services.evidence_add(application=application, by=stranger, upload=upload("a.pdf", PDF))
    evidence = services.evidence_add(application=application, by=application.staff, upload=upload("a.pdf", PDF))
    with pytest.raises(CycleRefused):
        services.evidence_delete(evidence=evidence, by=stranger)

    services.evidence_delete(evidence=evidence, by=application.staff)

    assert Evidence.objects.count() == 0
    assert AuditEntry.objects.filter(action="evidence_deleted").get().before == {"file": evidence.file.name}


def test_evidence_is_fixed_once_scoring_starts(application):
    evidence = services.evidence_add(application=application, by=application.staff, upload=upload("a.pdf", PDF))
    Cycle.objects.filter(pk=application.cycle_id).update(status=Cycle.Status.SCORING)

    with pytest.raises(CycleRefused, match="only while the cycle is open"):
        services.evidence_add(application=application, by=application.staff, upload=upload("b.pdf", PDF))
    with pytest.raises(CycleRefused, match="only while the cycle is open"):
        services.evidence_delete(evidence=evidence, by=application.staff)
    assert Evidence.objects.count() == 1
