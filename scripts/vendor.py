#!/usr/bin/env python3
"""Fetch the browser libraries the portal serves itself: ``python3 scripts/vendor.py``.

Each library comes from a pinned npm package tarball, checked against the registry's
``dist.integrity`` (SHA-512, written below once, when the version was chosen), and the
files the portal needs are copied to ``static/vendor/`` (git-ignored), each checked
against its own SHA-256. Nothing is loaded from a CDN at run time.

Idempotent: a file already in place with the right hash is left alone, so no network is
needed once the files are there; a missing or changed file is fetched again. Needs only
Python's standard library; ``scripts/start.py`` and ``scripts/test.py`` run it after
setting up ``.venv``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = ROOT / "static" / "vendor"
DOWNLOAD_TIMEOUT = 60  # seconds


class VendorError(Exception):
    """A library could not be fetched or did not match its pinned hash."""


@dataclass(frozen=True)
class Package:
    """A pinned npm tarball and the files taken from it: member path → (target below
    ``static/vendor/``, SHA-256 of the file)."""

    name: str
    version: str
    tarball: str
    integrity: str  # the registry's dist.integrity: "sha512-<base64>"
    files: dict[str, tuple[str, str]] = field(default_factory=dict)


PACKAGES = [
    # QR reading for the camera check-in, where the browser has no BarcodeDetector.
    Package(
        name="jsqr",
        version="1.4.0",
        tarball="https://registry.npmjs.org/jsqr/-/jsqr-1.4.0.tgz",
        integrity="sha512-dxLob7q65Xg2DvstYkRpkYtmKm2sPJ9oFhrhmudT1dZvNFFTlroai3AWSpLey/w5vMcLBXRgOJsbXpdN9HzU/A==",
        files={
            "package/dist/jsQR.js": (
                "jsqr/jsQR.js",
                "bc40c8a15196236b2314db0856f72ca0b49980cd5413b8c852a7349f5fee0859",
            ),
            "package/LICENSE": (
                "jsqr/LICENSE",
                "c6596eb7be8581c18be736c846fb9173b69eccf6ef94c5135893ec56bd92ba08",
            ),
        },
    ),
    # Charts of the statistics pages (the UMD build: one file, no bundler). Its source
    # map comes too: the file names it, and collectstatic's manifest storage refuses a
    # reference to a file that is not there.
    Package(
        name="chart.js",
        version="4.6.1",
        tarball="https://registry.npmjs.org/chart.js/-/chart.js-4.6.1.tgz",
        integrity="sha512-hJyniucsFmq//EvXYvJ6c6mahPoI3kaxdjVH8awTaJ/fDNWeSqqqArixMJWkWNN6fcYvPU3HneSANFNYtRi61g==",
        files={
            "package/dist/chart.umd.min.js": (
                "chartjs/chart.umd.min.js",
                "87364cc2b2a76a6684929e7d6b80b18a897794db38400caff1fcf1791c6925d2",
            ),
            "package/dist/chart.umd.min.js.map": (
                "chartjs/chart.umd.min.js.map",
                "b4b4e658a3a10695139f5f2ac2a31a0a0b04619cbdddc4e0793b97a8e9804321",
            ),
            "package/LICENSE.md": (
                "chartjs/LICENSE.md",
                "41a84aa2caba645f966a18d9c2056b73e6d3a81d80bc0046bc0011a2634d4cce",
            ),
        },
    ),
]


def sha256_of(path: Path) -> str | None:
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def integrity_of(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def download(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "portal-vendor/1"})  # noqa: S310 (https registry)
    with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response:  # noqa: S310
        return response.read()


def _write(target: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, so a half-written file never
    takes the place of a good one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the web server reads it
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def vendor_package(package: Package, *, into: Path = VENDOR_DIR, fetch: Callable[[str], bytes] = download) -> list[str]:
    """Put ``package``'s files in place; returns what was done, one line each."""
    missing = {
        member: (into / target, digest)
        for member, (target, digest) in package.files.items()
        if sha256_of(into / target) != digest
    }
    label = f"{package.name} {package.version}"
    if not missing:
        return [f"{label}: in place"]
    try:
        data = fetch(package.tarball)
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise VendorError(
            f"Could not download {label} from {package.tarball} ({reason}). The portal serves this file itself "
            f"(static/vendor/), so it is needed once: check the network or the proxy settings (HTTPS_PROXY) and "
            f"run the set-up again."
        ) from error
    found = integrity_of(data)
    if found != package.integrity:
        raise VendorError(
            f"{label} from {package.tarball} does not match its pinned hash (expected {package.integrity}, "
            f"got {found}); nothing was changed. The download may be corrupt or tampered with."
        )
    files = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member, (target, digest) in missing.items():
                extracted = archive.extractfile(member)
                if extracted is None:
                    raise KeyError(member)
                files[target] = (extracted.read(), digest)
    except (tarfile.TarError, KeyError, OSError) as error:
        raise VendorError(f"{label}: the package has no usable {error}; nothing was changed.") from error
    for target, (content, digest) in files.items():
        if hashlib.sha256(content).hexdigest() != digest:
            raise VendorError(f"{label}: {target.name} does not match its pinned hash; nothing was changed.")
    for target, (content, _digest) in files.items():
        _write(target, content)
    return [f"{label}: {target.relative_to(into)} written" for target in files]


def vendor_all(*, into: Path = VENDOR_DIR, fetch: Callable[[str], bytes] = download) -> list[str]:
    lines = []
    for package in PACKAGES:
        lines += vendor_package(package, into=into, fetch=fetch)
    return lines


def main() -> int:
    try:
        for line in vendor_all():
            print(line)
    except VendorError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
