"""What the browser fetches under `make run`: static files collected under hashed names,
precompressed (gzip, brotli), cached as immutable; pages gzipped when the browser asks,
still carrying the CSP and no-store headers.

`make run` sets HUIYIN_STATIC_MANIFEST=1 and runs `huiyin collectstatic` first; the tests
collect once into a temporary STATIC_ROOT (brotli at a low quality, to keep it fast) and
serve from it with the settings that switch gives (checked in a fresh interpreter).
"""

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import brotli
import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings
from whitenoise.compress import Compressor

from huiyin.csp import HEADER as CSP_HEADER
from huiyin.csp import POLICY

ROOT = Path(__file__).resolve().parents[1]
MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
HASHED = re.compile(r"^/static/web/js/huiyin\.[0-9a-f]{12}\.js$")
ONE_YEAR = 365 * 24 * 3600


def _manifest_settings(static_root: Path) -> dict:
    return {
        "STATIC_ROOT": static_root,
        "STORAGES": {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": MANIFEST_STORAGE},
        },
        "WHITENOISE_USE_FINDERS": False,
    }


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """STATIC_ROOT after `collectstatic` with the manifest storage."""
    static_root = tmp_path_factory.mktemp("static")
    with pytest.MonkeyPatch.context() as patch:
        # Quality 11 (WhiteNoise's) takes seconds on ECharts and the API docs' bundles.
        patch.setattr(
            Compressor,
            "compress_brotli",
            staticmethod(lambda data: brotli.compress(data, quality=5)),
        )
        with override_settings(**_manifest_settings(static_root)):
            call_command("collectstatic", "--noinput", verbosity=0)
    return static_root


@pytest.fixture
def served(collected: Path, settings) -> Path:
    for name, value in _manifest_settings(collected).items():
        setattr(settings, name, value)
    return collected


def _body(response) -> bytes:
    # Reading a file response to its end closes it (the test client wraps the iterator).
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_make_runs_switch_selects_the_manifest_storage_and_no_finders():
    """HUIYIN_STATIC_MANIFEST=1 gives the settings the tests below serve with; without it,
    the plain storage that needs no collectstatic (tests, runserver)."""

    def read(switch: str | None) -> dict:
        env = {k: v for k, v in os.environ.items() if k != "HUIYIN_STATIC_MANIFEST"}
        if switch is not None:
            env["HUIYIN_STATIC_MANIFEST"] = switch
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                "import json, huiyin.settings as s; print(json.dumps("
                "[s.STORAGES['staticfiles']['BACKEND'], s.WHITENOISE_USE_FINDERS]))",
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return json.loads(out)

    assert read("1") == [MANIFEST_STORAGE, False]
    assert read(None) == ["django.contrib.staticfiles.storage.StaticFilesStorage", True]


def test_static_files_have_hashed_names_and_are_cached_for_good(served: Path, db):
    url = static("web/js/huiyin.js")
    assert HASHED.match(url), url

    response = Client().get(url)
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "immutable" in cache_control and "public" in cache_control
    max_age = int(re.search(r"max-age=(\d+)", cache_control).group(1))
    assert max_age >= ONE_YEAR
    assert _body(response) == (served / url.removeprefix("/static/")).read_bytes()

    # Only the hashed names are kept: a page can never get a stale file by its plain name.
    assert Client().get("/static/web/js/huiyin.js").status_code == 404


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [("gzip, deflate", "gzip", gzip.decompress), ("gzip, deflate, br", "br", brotli.decompress)],
)
def test_static_files_come_precompressed(served: Path, accept, encoding, decode):
    url = static("vendor/echarts/echarts.min.js")
    original = (served / url.removeprefix("/static/")).read_bytes()

    response = Client().get(url, headers={"accept-encoding": accept})
    assert response.status_code == 200
    assert response["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response["Vary"]
    body = _body(response)
    assert len(body) < len(original) / 2
    assert decode(body) == original


def test_a_plain_request_gets_the_file_uncompressed(served: Path):
    url = static("web/css/huiyin.css")
    response = Client().get(url)
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert _body(response) == (served / url.removeprefix("/static/")).read_bytes()


def test_css_names_its_fonts_by_hash(served: Path):
    """The manifest rewrites url() in stylesheets: the icon fonts are cached for good too."""
    css = (served / static("vendor/bootstrap-icons/bootstrap-icons.min.css")[8:]).read_text()
    fonts = re.findall(r"url\(\"?([^\")]+)", css)
    assert fonts
    assert all(re.search(r"bootstrap-icons\.[0-9a-f]{12}\.woff2?", font) for font in fonts), fonts


@pytest.mark.parametrize("path", ["/", "/cases/", "/dashboard/?year=2026"])
def test_pages_name_hashed_files_and_are_gzipped_with_their_headers(served, cast, path):
    """Every {% static %} of 我的待办, the ledger and the dashboard is in the manifest (a
    missing one would fail the page), and the page is gzipped when asked, keeping the CSP
    and no-store."""
    client = Client()
    client.force_login(cast.coordinator)

    plain = client.get(path)
    assert plain.status_code == 200
    assert not plain.has_header("Content-Encoding")
    html = plain.content.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert static("web/css/huiyin.css") in assets
    assert all(re.search(r"\.[0-9a-f]{12}\.\w+$", asset) for asset in assets), assets

    zipped = client.get(path, headers={"accept-encoding": "gzip, deflate, br"})
    assert zipped.status_code == 200
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert zipped[CSP_HEADER] == POLICY
    assert zipped["Cache-Control"] == "no-store"
    unzipped = gzip.decompress(zipped.content).decode()
    assert len(zipped.content) < len(unzipped) / 3
    # The same page apart from the per-request CSRF token.
    assert re.sub(r'value="[^"]{64}"', "", unzipped) == re.sub(r'value="[^"]{64}"', "", html)


def test_an_error_page_is_gzipped_with_its_csp(served, cast):
    client = Client()
    client.force_login(cast.coordinator)
    response = client.get("/cases/999999/", headers={"accept-encoding": "gzip"})
    assert response.status_code == 404
    assert response["Content-Encoding"] == "gzip"
    assert response[CSP_HEADER] == POLICY
    assert "页面不存在" in gzip.decompress(response.content).decode()


def test_a_download_is_sent_as_it_is(cast):
    """An .xlsx is compressed already: not gzipped again, its length kept."""
    client = Client()
    client.force_login(cast.coordinator)
    response = client.get("/transfer/export.xlsx?year=2026", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:2] == b"PK"  # the zip container of an .xlsx, not a gzip stream
