"""The dashboard's 12-month completeness grid on a 360px phone: the page does not scroll
sideways (the grid scrolls inside itself), no serious accessibility finding, nothing refused
by the Content Security Policy."""

import datetime
import shutil

import pytest

from bkb.lib.months import Month
from reports import services
from tests import factories as f
from tests.browser.conftest import SHOTS_FOR_LEAD
from tests.browser.test_accessibility import findings, log_in
from tests.browser.test_csp import watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEP = Month(2026, 9)


def test_the_grid_fits_a_phone_and_scrolls_inside_itself(world, page, live_server, tmp_path):
    f.coaching_session(world["group_a"], datetime.date(2026, 9, 12))
    now = datetime.datetime.combine(SEP.due + datetime.timedelta(days=1), datetime.time(9), tzinfo=datetime.UTC)
    services.report_submit(group=world["group_a"], month=SEP, user=world["admin"], now=now)
    console = watch(page)
    log_in(page, live_server.url, world["supervisor"])
    response = page.goto(f"{live_server.url}/laporan/?wilayah={world['kec_a'].pk}&bulan=2026-10")
    assert response.status == 200
    page.wait_for_load_state("load")
    grid = page.locator("#completeness")
    assert grid.is_visible()
    assert grid.locator("tbody tr").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    scroll = page.locator(".completeness-scroll")
    assert scroll.evaluate("el => el.scrollWidth > el.clientWidth")
    assert not findings(page)
    assert not console and not page.evaluate("window.__cspViolations")
    grid.scroll_into_view_if_needed()
    path = tmp_path / "completeness-grid-360.png"
    page.screenshot(path=str(path))
    SHOTS_FOR_LEAD.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS_FOR_LEAD / path.name)
