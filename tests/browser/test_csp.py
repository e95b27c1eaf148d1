"""Issue 12: under the Content Security Policy every page runs as it did, with nothing refused.

Chromium reports each refused script, style or image on the console ("... violates the
following Content Security Policy directive ...") and fires `securitypolicyviolation`; both
are collected over the login page and every main page of each persona (the roster, the
session form, the KKA check, the dashboard among them), and over the Django admin.
"""

import pytest

from tests import factories as f
from tests.browser.test_accessibility import laptop, log_in, pages  # noqa: F401  (fixtures)
from tests.reports.conftest import _immediate_tasks, october  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before the page's own scripts (through the DevTools protocol, which the CSP does not govern).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI || "inline"} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def watch(page) -> list[str]:
    console = []
    page.add_init_script(LISTEN)
    page.on("console", lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None)
    return console


def walk(page, base: str, paths: list[str], console: list[str]) -> dict[str, list[str]]:
    refused = {}
    for path in paths:
        console.clear()
        response = page.goto(base + path)
        assert response.status == 200, f"{path} answered {response.status}"
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        found = page.evaluate("window.__cspViolations") + console
        if found:
            refused[path] = found
    return refused


def test_the_collector_sees_a_refused_inline_style(page, live_server):
    # Without this, a listener that never fires would pass every test below.
    console = watch(page)
    page.goto(f"{live_server.url}/masuk/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__cspViolations") and console


def test_login_and_cadre_pages_run_under_the_csp(pages, world, page, live_server):  # noqa: F811
    console = watch(page)
    refused = walk(page, live_server.url, ["/masuk/"], console)
    log_in(page, live_server.url, world["cadre_a"])
    refused |= walk(page, live_server.url, pages["cadre"], console)
    assert not refused, refused


def test_supervisor_and_admin_pages_run_under_the_csp(pages, world, laptop, live_server):  # noqa: F811
    console = watch(laptop)
    log_in(laptop, live_server.url, world["supervisor"])
    refused = walk(laptop, live_server.url, pages["supervisor"], console)
    laptop.context.clear_cookies()
    log_in(laptop, live_server.url, world["admin"])
    refused |= walk(laptop, live_server.url, pages["admin"], console)
    assert not refused, refused


def test_django_admin_runs_under_the_csp(world, laptop, live_server):  # noqa: F811
    # Django 6's admin keeps its data in <script type="application/json"> and data attributes.
    root = f.user("akar", "admin", is_staff=True, is_superuser=True)
    console = watch(laptop)
    log_in(laptop, live_server.url, root)
    family = f.family(world["group_a"])
    refused = walk(
        laptop,
        live_server.url,
        [
            "/admin/",
            "/admin/groups/user/",
            f"/admin/groups/user/{world['cadre_a'].pk}/change/",
            "/admin/groups/bkbgroup/add/",
            f"/admin/families/family/{family.pk}/change/",
            "/admin/cadres/training/add/",  # the date widget's calendar
            "/admin/reports/areatarget/add/",
        ],
        console,
    )
    assert not refused, refused
