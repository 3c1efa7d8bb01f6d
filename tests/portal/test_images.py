"""prepare_image: only real JPEG, PNG and WebP images, re-encoded to an upright JPEG
without metadata, resized, with a thumbnail; everything else refused with a reason."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import ExifTags, Image, ImageFile, PngImagePlugin

from centres.services import centre_photo_add
from portal.images import prepare_image
from tests.centres.factories import CentreFactory


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def decoding(monkeypatch):
    """Records every time Pillow decodes pixel data."""
    calls = []
    original = ImageFile.ImageFile.load

    def load(self):
        calls.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return calls


def encoded(picture, fmt, **params):
    out = io.BytesIO()
    picture.save(out, fmt, **params)
    return out.getvalue()


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def opened(content_file):
    content_file.seek(0)
    picture = Image.open(io.BytesIO(content_file.read()))
    picture.load()
    return picture


def is_red(pixel):
    red, green, blue = pixel[:3]
    return red > 200 and green < 60 and blue < 60


def is_blue(pixel):
    red, green, blue = pixel[:3]
    return blue > 200 and red < 60 and green < 60


def halves(width, height, first="red", second="blue"):
    """Left half ``first``, right half ``second``."""
    picture = Image.new("RGB", (width, height), second)
    picture.paste(Image.new("RGB", (width // 2, height), first), (0, 0))
    return picture


def png_bomb(width, height, *, palette=False):
    """A valid 1-bit PNG of ``width`` × ``height`` blank pixels: a few kilobytes on disk,
    hundreds of megabytes once decoded."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = bytes(1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 3 if palette else 0, 0, 0, 0)
    body = chunk(b"IHDR", header)
    if palette:
        body += chunk(b"PLTE", b"\x00\x00\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


# Accepted


def test_a_large_jpeg_is_resized_and_gets_a_thumbnail(settings):
    prepared = prepare_image(upload(encoded(halves(2400, 1800), "JPEG")))

    image, thumbnail = opened(prepared.image), opened(prepared.thumbnail)
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (1600, 1200))
    assert (thumbnail.format, thumbnail.size) == ("JPEG", (480, 360))
    assert (prepared.width, prepared.height) == (1600, 1200)
    assert settings.IMAGE_MAX_EDGE == 1600
    assert settings.IMAGE_THUMBNAIL_EDGE == 480
    assert is_red(image.getpixel((100, 600)))
    assert is_blue(image.getpixel((1500, 600)))


def test_a_tall_image_is_resized_by_its_longest_edge():
    prepared = prepare_image(upload(encoded(halves(1000, 4000), "PNG"), "poster.png", "image/png"))

    assert opened(prepared.image).size == (400, 1600)
    assert opened(prepared.thumbnail).size == (120, 480)
    assert (prepared.width, prepared.height) == (400, 1600)


def test_the_edges_follow_the_settings(settings):
    settings.IMAGE_MAX_EDGE = 800
    settings.IMAGE_THUMBNAIL_EDGE = 100

    prepared = prepare_image(upload(encoded(halves(2000, 1000), "JPEG")))

    assert opened(prepared.image).size == (800, 400)
    assert opened(prepared.thumbnail).size == (100, 50)


def test_a_small_image_is_not_enlarged():
    prepared = prepare_image(upload(encoded(halves(300, 200), "JPEG")))

    assert opened(prepared.image).size == (300, 200)
    assert opened(prepared.thumbnail).size == (300, 200)


def test_a_png_with_transparency_becomes_a_jpeg_on_white():
    picture = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    picture.paste(Image.new("RGBA", (100, 100), (255, 0, 0, 255)), (0, 0))

    prepared = prepare_image(upload(encoded(picture, "PNG"), "logo.png", "image/png"))

    image = opened(prepared.image)
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (200, 100))
    assert is_red(image.getpixel((50, 50)))
    assert all(channel > 245 for channel in image.getpixel((150, 50)))


def test_a_palette_png_with_a_transparent_colour_becomes_a_jpeg_on_white():
    picture = halves(200, 100).convert("P", palette=Image.Palette.ADAPTIVE, colors=2)
    blue_index = picture.getpixel((150, 50))

    prepared = prepare_image(upload(encoded(picture, "PNG", transparency=blue_index), "logo.png", "image/png"))

    image = opened(prepared.image)
    assert is_red(image.getpixel((50, 50)))
    assert all(channel > 245 for channel in image.getpixel((150, 50)))


def test_a_webp_becomes_a_jpeg():
    prepared = prepare_image(upload(encoded(halves(640, 480), "WEBP", quality=90), "photo.webp", "image/webp"))

    image = opened(prepared.image)
    assert (image.format, image.size) == ("JPEG", (640, 480))
    assert is_red(image.getpixel((100, 240)))
    assert is_blue(image.getpixel((540, 240)))


def test_a_phone_jpeg_with_a_second_picture_inside_is_a_jpeg():
    # Many phone cameras save a JPEG with further pictures appended (depth map, HDR gain
    # map); Pillow calls that format MPO.
    data = encoded(halves(640, 480), "MPO", save_all=True, append_images=[Image.new("RGB", (160, 120), "green")])
    assert data[:3] == b"\xff\xd8\xff"

    prepared = prepare_image(upload(data))

    image = opened(prepared.image)
    assert (image.format, image.size) == ("JPEG", (640, 480))
    assert getattr(image, "n_frames", 1) == 1
    assert is_red(image.getpixel((100, 240)))
    assert is_blue(image.getpixel((540, 240)))


def test_the_name_of_the_file_does_not_matter_only_its_content():
    prepared = prepare_image(upload(encoded(halves(64, 48), "PNG"), "photo.gif", "image/gif"))

    assert opened(prepared.image).format == "JPEG"
    assert prepared.image.name.endswith(".jpg")
    assert prepared.thumbnail.name.endswith("_thumb.jpg")


@pytest.mark.django_db
def test_a_photo_with_gps_and_orientation_is_stored_upright_without_exif():
    # Taken with the phone turned: stored 300 × 200 with "rotate 90° clockwise to show",
    # so the left (red) half is the top of the picture as seen.
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.DateTime] = "2026:11:22 19:00:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (24.0, 54.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (118.0, 35.0, 10.0)
    original = encoded(halves(300, 200), "JPEG", exif=exif)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"

    photo = centre_photo_add(centre=CentreFactory(), upload=upload(original), caption="四点钟课堂")

    photo.refresh_from_db()
    with photo.image.open("rb") as stored_file:
        stored = Image.open(io.BytesIO(stored_file.read()))
        stored.load()
    assert (stored.format, stored.size) == ("JPEG", (200, 300))
    assert (photo.width, photo.height) == (200, 300)
    assert dict(stored.getexif()) == {}
    assert "exif" not in stored.info
    assert is_red(stored.getpixel((100, 50)))
    assert is_blue(stored.getpixel((100, 250)))
    with photo.thumbnail.open("rb") as thumbnail_file:
        thumbnail = Image.open(io.BytesIO(thumbnail_file.read()))
        assert "exif" not in thumbnail.info
        assert thumbnail.size == (200, 300)


def test_comments_and_text_are_not_carried_over():
    jpeg = encoded(halves(64, 48), "JPEG", comment=b"Zhang San, Building 3, 13900001111")
    text = PngImagePlugin.PngInfo()
    text.add_text("comment", "GPS 24.90N 118.58E")
    text.add_text("Author", "Zhang San")
    png = encoded(halves(64, 48), "PNG", pnginfo=text)

    for data, name in ((jpeg, "photo.jpg"), (png, "photo.png")):
        prepared = prepare_image(upload(data, name))
        for output in (prepared.image, prepared.thumbnail):
            kept = set(opened(output).info) - {
                "jfif",
                "jfif_version",
                "jfif_unit",
                "jfif_density",
                "progressive",
                "progression",
            }
            assert kept == set(), name


# Refused


def refused(data, name="photo.jpg"):
    with pytest.raises(ValidationError) as error:
        prepare_image(upload(data, name))
    return error.value


def test_a_text_file_named_jpg_is_refused():
    error = refused(b"Hello, this is not a photo at all.\n", "photo.jpg")

    assert error.code == "not_an_image"
    assert error.messages == ["This file is not a JPEG, PNG or WebP image. Choose a photo in one of those formats."]


def test_an_empty_file_is_refused():
    assert refused(b"", "photo.jpg").code == "not_an_image"


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("GIF", "animation.gif"), ("GIF", "animation.jpg"), ("BMP", "scan.png"), ("TIFF", "scan.jpg")],
)
def test_a_real_image_in_another_format_is_refused(fmt, name):
    error = refused(encoded(halves(64, 48), fmt), name)

    assert error.code == "not_an_image"


def test_a_truncated_jpeg_is_refused_as_damaged():
    whole = encoded(Image.effect_noise((400, 300), 64).convert("RGB"), "JPEG")

    error = refused(whole[: len(whole) // 2])

    assert error.code == "damaged"
    assert error.messages == ["This image is damaged and cannot be read."]


def test_a_png_with_a_broken_checksum_is_refused_as_damaged():
    data = bytearray(encoded(Image.effect_noise((200, 100), 64), "PNG"))
    idat = data.index(b"IDAT")
    data[idat + 10] ^= 0xFF

    assert refused(bytes(data), "photo.png").code == "damaged"


@pytest.mark.parametrize(
    ("width", "height", "palette"),
    [(7000, 7000, False), (10000, 5000, True), (10000, 10000, True), (20000, 20000, False)],
    ids=["49 megapixels", "50 megapixels palette", "100 megapixels palette", "400 megapixels"],
)
def test_a_decompression_bomb_is_refused_before_it_is_decoded(decoding, width, height, palette):
    data = png_bomb(width, height, palette=palette)
    assert len(data) < 100_000

    error = refused(data, "bomb.png")

    assert error.code == "too_many_pixels"
    assert error.messages == ["This image has too many pixels; images may be at most 40 megapixels."]
    assert decoding == []


def test_the_pixel_limit_follows_the_settings(settings, decoding):
    settings.IMAGE_MAX_PIXELS = 1_000_000
    data = encoded(halves(1001, 1000), "PNG")

    error = refused(data, "photo.png")

    assert error.code == "too_many_pixels"
    assert error.messages == ["This image has too many pixels; images may be at most 1 megapixels."]
    assert decoding == []
    settings.IMAGE_MAX_PIXELS = 1_001_000
    assert opened(prepare_image(upload(data, "photo.png")).image).size == (1001, 1000)
    assert (1001, 1000) in decoding


def test_a_file_bigger_than_the_limit_is_refused_without_being_read(settings):
    data = encoded(Image.effect_noise((200, 200), 64).convert("RGB"), "JPEG", quality=95)
    settings.IMAGE_MAX_UPLOAD_BYTES = len(data) - 1
    big = upload(data)

    with pytest.raises(ValidationError) as error:
        prepare_image(big)

    assert error.value.code == "too_large"
    assert big.tell() == 0


def test_a_file_exactly_at_the_limit_is_accepted(settings):
    data = encoded(halves(64, 48), "JPEG")
    settings.IMAGE_MAX_UPLOAD_BYTES = len(data)

    assert opened(prepare_image(upload(data)).image).size == (64, 48)


def test_the_size_message_names_the_size_and_the_limit(settings):
    settings.IMAGE_MAX_UPLOAD_BYTES = 1024
    data = bytes(2048)

    error = refused(data)

    assert error.code == "too_large"
    assert error.messages == ["This file is 2.0\xa0KB; images may be at most 1.0\xa0KB."]
