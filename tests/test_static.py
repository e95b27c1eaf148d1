"""Static files go out compressed, and browsers may keep them: a cheap phone's first page is small."""

import gzip
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from bkb.storage import VersionedStaticFilesStorage

pytestmark = pytest.mark.django_db

BOOTSTRAP = Path(settings.BASE_DIR) / "static" / "vendor" / "bootstrap" / "bootstrap.min.css"


def _bootstrap_url(client) -> str:
    page = client.get(reverse("login")).content.decode()
    return re.search(r'href="([^"]*bootstrap\.min\.css[^"]*)"', page).group(1)


def _max_age(response) -> int:
    return int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))


@pytest.mark.parametrize("debug", [False, True], ids=["production-like", "DEBUG (make run)"])
def test_bootstrap_is_sent_compressed_and_cached(settings, debug):
    settings.DEBUG = debug
    client = Client()  # a new handler: WhiteNoise reads DEBUG when it starts
    url = _bootstrap_url(client)
    response = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response["Content-Encoding"] in ("gzip", "br")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Encoding"] == "gzip":
        assert gzip.decompress(body) == BOOTSTRAP.read_bytes()
    assert len(body) < BOOTSTRAP.stat().st_size / 4
    assert _max_age(response) >= 24 * 60 * 60
    assert "Accept-Encoding" in response["Vary"]


def test_a_client_without_compression_gets_the_plain_file(client):
    response = client.get(_bootstrap_url(client))
    assert "Content-Encoding" not in response
    assert b"".join(response.streaming_content) == BOOTSTRAP.read_bytes()


def test_the_url_changes_with_the_content(tmp_path, settings):
    """A long cache lifetime is safe because an edited file gets a new URL."""
    (tmp_path / "x.css").write_text("a{}")
    settings.STATICFILES_DIRS = [tmp_path]  # Django's test signals reset the finders
    storage = VersionedStaticFilesStorage()
    first = storage.url("x.css")
    (tmp_path / "x.css").write_text("a{color:red}")
    os.utime(tmp_path / "x.css", (1, 1))  # a different mtime, whatever the clock's resolution
    second = storage.url("x.css")
    assert first.startswith("/static/x.css?v=") and second.startswith("/static/x.css?v=") and first != second
