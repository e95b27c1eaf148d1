"""Issue 12, deploy-clean: no known key in production, `check --deploy` passes with the README's
settings, the Content Security Policy is sent and nothing in the templates needs it loosened."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, env: dict) -> subprocess.CompletedProcess:
    # A fresh process (the settings are read once, at start) with none of the test run's variables.
    base = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'db.sqlite3'}"),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base | env, capture_output=True, text=True, timeout=120
    )


def readme_production_env() -> dict:
    """The `export NAME=value` lines of the README's "Run it for real"."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Run it for real", 1)[1].split("\n## ", 1)[0]
    found = dict(re.findall(r"^export (\w+)=\"?([^\"\s]*)\"?", section, re.MULTILINE))
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "BKB_BEHIND_PROXY"} <= found.keys()
    # The README's placeholders: a real key instead of its example.
    found["SECRET_KEY"] = secrets.token_urlsafe(50)
    found.pop("DATABASE_URL", None)  # _run gives this test run's database
    return found


def test_production_refuses_to_start_without_a_secret_key():
    refused = _run("check", env={"BKB_ALLOW_DEV_KEY": "true"})  # the old escape no longer works
    assert refused.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in refused.stderr
    assert _run("check", env={"DEBUG": "true"}).returncode == 0  # make run: the fixed dev key


def test_check_deploy_passes_with_the_readmes_production_settings():
    env = readme_production_env()
    done = _run("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    # The same without HTTPS is what the check exists to catch.
    plain = _run("check", "--deploy", "--fail-level", "WARNING", env=env | {"BKB_HTTPS": "false"})
    assert plain.returncode != 0
    # W008: no SSL redirect; the insecure session cookie is W012, or W010 as Django words it when the
    # session middleware is our subclass (bkb.middleware.SessionMiddleware).
    assert "security.W008" in plain.stderr
    assert "security.W012" in plain.stderr or "security.W010" in plain.stderr


def test_https_redirect_honours_the_proxy_header_and_spares_the_health_check(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client()
    assert client.get("/masuk/").status_code == 301
    assert client.get("/masuk/", headers={"x-forwarded-proto": "https"}).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_every_page_carries_the_csp_without_unsafe_inline(db):
    response = Client().get("/masuk/")
    assert response.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert "unsafe" not in response["Content-Security-Policy"]


def test_the_admin_login_carries_the_csp(db):
    response = Client().get("/admin/login/")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]


# What the CSP refuses in a page: inline scripts (a <script> without src, other than JSON data),
# event handler attributes, javascript: URLs and style attributes. The PDF templates are
# WeasyPrint's, never served as a page, and keep their <style>.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|\son[a-z]+\s*=|javascript:|\sstyle\s*=|<style",
    re.IGNORECASE,
)


def _page_templates() -> list[Path]:
    dirs = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    dirs += [ROOT / app / "templates" for app in ("groups", "cadres", "families", "sessions", "reports", "devdata")]
    return [
        path
        for folder in dirs
        if folder.exists()
        for path in folder.rglob("*.html")
        if not (path.stem.endswith("_pdf") or path.name == "pdf_base.html")
    ]


def test_no_template_needs_inline_script_or_style():
    templates = _page_templates()
    assert len(templates) > 20
    found = [
        f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}: {match.group(0).strip()}"
        for path in templates
        for text in [path.read_text()]
        for match in INLINE.finditer(text)
    ]
    assert found == []


@pytest.mark.parametrize(
    "snippet", ['<div style="width: 3px">', "<script>alert(1)</script>", '<a onclick="x()">', "<style>"]
)
def test_the_template_check_catches_each_kind(snippet):
    assert INLINE.search(snippet)
    assert not INLINE.search('<script src="/static/js/bkb.js" defer></script>')


def test_collectstatic_for_production_succeeds(settings, tmp_path):
    # The README's step: every reference inside a CSS or JS file must exist to be hashed
    # (Bootstrap's files named source maps that were never shipped).
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("js/bkb.*.js.gz"))
