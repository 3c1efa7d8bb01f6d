"""Evidence files that back a centre's self-assessment in a star-rating cycle.

Only JPEG and PNG images and PDF documents are accepted, judged by what the file holds,
not by its name: an image must open as a JPEG or PNG with Pillow (see
``portal/images.py``), a PDF must start with ``%PDF-``. Each file may be at most
``MAX_BYTES``, and an application holds at most ``MAX_FILES``. Files are added and
removed only by the centre's own staff while the cycle is open; a refused file changes
nothing. Every change leaves an audit entry.
"""

from __future__ import annotations

import io
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .cycle import _audit, _locked, _refuse, _require_status, is_centre_staff_of
from .models import Application, Cycle, Evidence

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 20
IMAGE_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png"}


def evidence_kind(upload) -> str:
    """The file extension to store ``upload`` under ("pdf", "jpg" or "png"), from its
    content; ``ValidationError`` with a message for the uploader otherwise."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("This file is %(size)s; evidence files may be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_BYTES)},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if data.startswith(b"%PDF-"):
        return "pdf"
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            picture = Image.open(io.BytesIO(data))
            picture.verify()
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombWarning) as error:
            raise _not_accepted() from error
        except Image.DecompressionBombError as error:
            raise _not_accepted() from error
    if picture.format not in IMAGE_FORMATS:
        raise _not_accepted()
    return IMAGE_FORMATS[picture.format]


def _not_accepted() -> ValidationError:
    return ValidationError(
        _("This file is not a JPEG or PNG image or a PDF document. Choose a photo or a PDF."),
        code="not_accepted",
    )


def _require_own_open_application(application: Application, by) -> Cycle:
    if not is_centre_staff_of(by, application.centre):
        _refuse(_("Only the centre's own staff can change its evidence."), "forbidden")
    cycle = _locked(application.cycle)
    _require_status(cycle, Cycle.Status.OPEN, _("Evidence can be changed only while the cycle is open."))
    return cycle


def evidence_add(*, application: Application, by, upload, caption: str = "") -> Evidence:
    """Store ``upload`` as evidence of ``application`` under a new random name."""
    extension = evidence_kind(upload)
    with transaction.atomic():
        cycle = _require_own_open_application(application, by)
        if Evidence.objects.filter(application=application).count() >= MAX_FILES:
            raise ValidationError(
                _("An application holds at most %(count)s files. Remove one first.") % {"count": MAX_FILES},
                code="too_many",
            )
        upload.name = f"{uuid.uuid4().hex}.{extension}"
        evidence = Evidence.objects.create(application=application, file=upload, caption=caption.strip()[:200])
        _audit(cycle, by, "evidence_added", application.centre.name, after={"file": evidence.file.name})
    return evidence


def evidence_delete(*, evidence: Evidence, by) -> None:
    application = evidence.application
    with transaction.atomic():
        cycle = _require_own_open_application(application, by)
        name = evidence.file.name
        evidence.delete()
        _audit(cycle, by, "evidence_deleted", application.centre.name, before={"file": name})
        transaction.on_commit(lambda: evidence.file.storage.delete(name))
