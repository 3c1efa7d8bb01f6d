"""Checking and normalising uploaded images (centre photos, activity posters).

Only real JPEG, PNG and WebP images are accepted, whatever the file is called. The pixel
count is read from the header before anything is decoded, so a decompression bomb is
refused without being unpacked. What is stored is re-encoded: resized, turned upright,
and without EXIF (which can hold where and when a photo was taken).
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# "MPO" is a JPEG with further pictures after the first (a depth map, a preview, an HDR
# gain map), as many phone cameras save their photos; the first picture is the photo.
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}


@dataclass(frozen=True)
class PreparedImage:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def prepare_image(upload) -> PreparedImage:
    """Validate ``upload`` and return the image and thumbnail to store.

    Raises ``ValidationError`` with a message for the person who uploaded it.
    """
    max_bytes = settings.IMAGE_MAX_UPLOAD_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            _("This file is %(size)s; images may be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    data = upload.read()
    picture = _open_checked(data)
    try:
        picture.load()
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(_("This image is damaged and cannot be read."), code="damaged") from error
    picture = ImageOps.exif_transpose(picture)
    picture = _flatten(picture)

    main = picture.copy()
    main.thumbnail((settings.IMAGE_MAX_EDGE, settings.IMAGE_MAX_EDGE), Image.Resampling.LANCZOS)
    thumb = picture.copy()
    thumb.thumbnail((settings.IMAGE_THUMBNAIL_EDGE, settings.IMAGE_THUMBNAIL_EDGE), Image.Resampling.LANCZOS)
    stem = uuid.uuid4().hex
    return PreparedImage(
        image=ContentFile(_encode(main), name=f"{stem}.jpg"),
        thumbnail=ContentFile(_encode(thumb), name=f"{stem}_thumb.jpg"),
        width=main.width,
        height=main.height,
    )


def _open_checked(data: bytes) -> Image.Image:
    not_an_image = ValidationError(
        _("This file is not a JPEG, PNG or WebP image. Choose a photo in one of those formats."),
        code="not_an_image",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            header = Image.open(io.BytesIO(data))
        except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError, OSError) as error:
            if isinstance(error, (Image.DecompressionBombWarning, Image.DecompressionBombError)):
                raise _too_many_pixels() from error
            raise not_an_image from error
        if header.format not in ACCEPTED_FORMATS:
            raise not_an_image
        width, height = header.size
        if width * height > settings.IMAGE_MAX_PIXELS or width < 1 or height < 1:
            raise _too_many_pixels()
        try:
            header.verify()
        except Exception as error:  # Pillow raises many kinds for a broken file
            raise ValidationError(_("This image is damaged and cannot be read."), code="damaged") from error
        return Image.open(io.BytesIO(data))


def _too_many_pixels() -> ValidationError:
    megapixels = settings.IMAGE_MAX_PIXELS // 1_000_000
    return ValidationError(
        _("This image has too many pixels; images may be at most %(megapixels)s megapixels.")
        % {"megapixels": megapixels},
        code="too_many_pixels",
    )


def _flatten(picture: Image.Image) -> Image.Image:
    if picture.mode in {"RGBA", "LA"} or (picture.mode == "P" and "transparency" in picture.info):
        rgba = picture.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return picture.convert("RGB")


def _encode(picture: Image.Image) -> bytes:
    # Pillow writes some of the source's metadata back (a JPEG comment, a PNG text chunk
    # named "comment"), which can hold names, places and phone numbers: keep none of it.
    picture.info = {}
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()
