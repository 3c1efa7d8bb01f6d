"""Photos of a centre: /staff/centres/<slug>/photos/. Only real images are stored."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from centres.models import CentrePhoto
from centres.services import centre_photo_add
from tests.centres.factories import CentreFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def centre():
    return CentreFactory(name="城东社区党群服务中心", slug="chengdong")


def url(centre):
    return reverse("staff:photos", kwargs={"slug": centre.slug})


def png(width=1200, height=900, mode="RGB", name="reading-room.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), color=0 if mode == "1" else (200, 40, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_a_real_png_is_stored_with_its_thumbnail(staff_client, centre):
    response = staff_client.post(url(centre), {"image": png(), "caption": "党建书吧"})

    assert response.status_code == 302
    assert response["Location"] == url(centre)
    photo = CentrePhoto.objects.get(centre=centre)
    assert (photo.caption, photo.position, photo.width, photo.height) == ("党建书吧", 0, 1200, 900)
    assert photo.thumbnail.name.endswith("_thumb.jpg")
    with Image.open(photo.thumbnail.path) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("JPEG", (480, 360))
    with Image.open(photo.image.path) as image:
        assert image.format == "JPEG"


def test_the_page_shows_thumbnails(staff_client, centre):
    photo = centre_photo_add(centre=centre, upload=png(), caption="多功能厅")

    response = staff_client.get(url(centre))

    assert response.context["photos"] == [photo]
    html = response.content.decode()
    assert f'src="{photo.thumbnail.url}"' in html
    assert 'alt="多功能厅"' in html
    assert 'enctype="multipart/form-data"' in html


def test_a_text_file_renamed_jpg_is_refused_and_nothing_is_stored(staff_client, centre):
    fake = SimpleUploadedFile("photo.jpg", "这不是图片，是一段文字。".encode(), content_type="image/jpeg")

    response = staff_client.post(url(centre), {"image": fake, "caption": "活动照片"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "image": ["This file is not a JPEG, PNG or WebP image. Choose a photo in one of those formats."]
    }
    assert response.context["form"]["caption"].value() == "活动照片"
    assert "This file is not a JPEG, PNG or WebP image." in response.content.decode()
    assert not CentrePhoto.objects.exists()


def test_an_image_over_the_pixel_limit_is_refused_and_nothing_is_stored(staff_client, centre, settings):
    # 8000 × 5001 is just over the 40-megapixel limit; one bit per pixel keeps the file tiny.
    assert settings.IMAGE_MAX_PIXELS == 40_000_000
    huge = png(8000, 5001, mode="1", name="huge.png")

    response = staff_client.post(url(centre), {"image": huge, "caption": ""})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "image": ["This image has too many pixels; images may be at most 40 megapixels."]
    }
    assert not CentrePhoto.objects.exists()


def test_a_photo_must_be_chosen(staff_client, centre):
    response = staff_client.post(url(centre), {"caption": "没有文件"})

    assert response.context["form"].errors == {"image": ["This field is required."]}
    assert not CentrePhoto.objects.exists()


def test_deleting_a_photo_asks_first_then_deletes_it_and_its_files(
    staff_client, centre, django_capture_on_commit_callbacks
):
    photo = centre_photo_add(centre=centre, upload=png(), caption="舞蹈室")
    image_path, thumbnail_path = photo.image.path, photo.thumbnail.path
    assert Path(image_path).exists() and Path(thumbnail_path).exists()
    delete_url = reverse("staff:photo_delete", kwargs={"slug": centre.slug, "pk": photo.pk})

    confirm = staff_client.get(delete_url)
    assert confirm.status_code == 200
    assert f'src="{photo.thumbnail.url}"' in confirm.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(delete_url)

    assert response.status_code == 302
    assert not CentrePhoto.objects.exists()
    assert not Path(image_path).exists()
    assert not Path(thumbnail_path).exists()
