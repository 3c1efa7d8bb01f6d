"""scripts/vendor.py: the browser libraries the portal serves itself come from pinned npm
tarballs, checked against their registry integrity and each file against its own hash.
A file in place with the right hash is kept without any download; a changed one is
replaced; a download that does not match is refused and changes nothing. No network is
used here: the tarballs are made in the test."""

import hashlib
import importlib.util
import io
import sys
import tarfile
import urllib.error
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


vendor = load("vendor")

LIBRARY = b"/* qr reader 1.0 */ window.jsQR = function () { return null; };\n"
LICENSE = b"Apache License 2.0\n"


def tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


DATA = tarball({"package/dist/qr.js": LIBRARY, "package/LICENSE": LICENSE, "package/README.md": b"readme"})


def package(*, integrity: str | None = None, library_hash: str | None = None):
    return vendor.Package(
        name="qr-reader",
        version="1.0.0",
        tarball="https://registry.npmjs.org/qr-reader/-/qr-reader-1.0.0.tgz",
        integrity=integrity or vendor.integrity_of(DATA),
        files={
            "package/dist/qr.js": ("qr/qr.js", library_hash or hashlib.sha256(LIBRARY).hexdigest()),
            "package/LICENSE": ("qr/LICENSE", hashlib.sha256(LICENSE).hexdigest()),
        },
    )


class Registry:
    """A stand-in for the registry: serves ``data`` and counts the downloads."""

    def __init__(self, data: bytes = DATA, error: Exception | None = None):
        self.data, self.error, self.urls = data, error, []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        if self.error is not None:
            raise self.error
        return self.data


def test_the_files_are_extracted_from_the_verified_tarball(tmp_path):
    registry = Registry()

    lines = vendor.vendor_package(package(), into=tmp_path, fetch=registry)

    assert (tmp_path / "qr" / "qr.js").read_bytes() == LIBRARY
    assert (tmp_path / "qr" / "LICENSE").read_bytes() == LICENSE
    assert not (tmp_path / "qr" / "README.md").exists()
    assert registry.urls == ["https://registry.npmjs.org/qr-reader/-/qr-reader-1.0.0.tgz"]
    assert sorted(lines) == ["qr-reader 1.0.0: qr/LICENSE written", "qr-reader 1.0.0: qr/qr.js written"]


def test_files_in_place_with_the_right_hash_need_no_download(tmp_path):
    vendor.vendor_package(package(), into=tmp_path, fetch=Registry())
    offline = Registry(error=urllib.error.URLError("no network"))

    lines = vendor.vendor_package(package(), into=tmp_path, fetch=offline)

    assert lines == ["qr-reader 1.0.0: in place"]
    assert offline.urls == []


def test_a_corrupted_file_is_replaced(tmp_path):
    vendor.vendor_package(package(), into=tmp_path, fetch=Registry())
    (tmp_path / "qr" / "qr.js").write_bytes(b"alert('changed');")
    registry = Registry()

    lines = vendor.vendor_package(package(), into=tmp_path, fetch=registry)

    assert (tmp_path / "qr" / "qr.js").read_bytes() == LIBRARY
    assert lines == ["qr-reader 1.0.0: qr/qr.js written"]
    assert len(registry.urls) == 1


def test_a_tarball_that_does_not_match_its_integrity_is_refused(tmp_path):
    (tmp_path / "qr").mkdir()
    (tmp_path / "qr" / "qr.js").write_bytes(b"old")
    tampered = tarball({"package/dist/qr.js": b"evil()", "package/LICENSE": LICENSE})

    with pytest.raises(vendor.VendorError) as refused:
        vendor.vendor_package(package(), into=tmp_path, fetch=Registry(tampered))

    assert "does not match its pinned hash" in str(refused.value)
    assert vendor.integrity_of(DATA) in str(refused.value) and vendor.integrity_of(tampered) in str(refused.value)
    assert (tmp_path / "qr" / "qr.js").read_bytes() == b"old"
    assert not (tmp_path / "qr" / "LICENSE").exists()


def test_a_wrong_pinned_integrity_refuses_the_real_tarball(tmp_path):
    wrong = "sha512-" + "A" * 86 + "=="

    with pytest.raises(vendor.VendorError) as refused:
        vendor.vendor_package(package(integrity=wrong), into=tmp_path, fetch=Registry())

    assert "does not match its pinned hash" in str(refused.value) and wrong in str(refused.value)

    assert list(tmp_path.iterdir()) == []


def test_a_file_that_does_not_match_its_own_hash_is_refused(tmp_path):
    with pytest.raises(vendor.VendorError) as refused:
        vendor.vendor_package(package(library_hash="0" * 64), into=tmp_path, fetch=Registry())

    assert "qr.js does not match its pinned hash" in str(refused.value)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_file_without_the_registry_stops_the_set_up_with_the_reason(tmp_path):
    offline = Registry(error=urllib.error.URLError("Name or service not known"))

    with pytest.raises(vendor.VendorError) as refused:
        vendor.vendor_package(package(), into=tmp_path, fetch=offline)

    message = str(refused.value)
    assert message.startswith("Could not download qr-reader 1.0.0 from https://registry.npmjs.org/")
    assert "Name or service not known" in message and "run the set-up again" in message


def test_the_set_up_turns_a_vendor_failure_into_a_set_up_failure(monkeypatch):
    monkeypatch.syspath_prepend(str(SCRIPTS))
    start = load("start")

    def offline(**kwargs):
        raise start.VendorError("Could not download jsqr 1.4.0")

    monkeypatch.setattr(start, "vendor_all", offline)
    with pytest.raises(start.SetupError, match="Could not download jsqr 1.4.0"):
        start.ensure_vendor()


def test_jsqr_is_pinned_to_1_4_0_from_the_npm_registry():
    [jsqr] = [p for p in vendor.PACKAGES if p.name == "jsqr"]

    assert jsqr.tarball == "https://registry.npmjs.org/jsqr/-/jsqr-1.4.0.tgz"
    assert jsqr.integrity.startswith("sha512-") and len(jsqr.integrity) == len("sha512-") + 88
    assert jsqr.files["package/dist/jsQR.js"][0] == "jsqr/jsQR.js"
    root = Path(__file__).resolve().parents[2]
    assert root / "static" / "vendor" == vendor.VENDOR_DIR
    assert "static/vendor/" in (root / ".gitignore").read_text().splitlines()  # fetched, never committed
