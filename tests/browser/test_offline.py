"""Issue 13 on a 360px phone with the network cut: a cadre prepares her group for
offline, works through the roster, a child, a session and a measurement without
signal, and everything arrives once when the signal is back."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from families.models import Measurement
from sessions.models import Attendance, CoachingSession
from tests import factories as f
from tests.browser.test_accessibility import findings
from tests.browser.test_session_flow import FAMILIES, TOPIC, setup_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAIT = 20_000


def prepare(page, live_server, group):
    """Log in is done; open the group page, wait for the service worker, tap "Siapkan untuk offline"."""
    page.goto(f"{live_server.url}/kelompok/{group.pk}/")
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.get_by_role("button", name="Siapkan untuk offline").click()
    expect(page.locator(f"#offline-status-{group.pk}")).to_contain_text("Siap offline", timeout=WAIT)


def counter(page):
    return page.locator("#outbox-count")


def measure(page, live_server, child, weight, height):
    page.goto(f"{live_server.url}/anak/{child.pk}/")
    page.get_by_role("link", name="+ Ukur").click()
    page.wait_for_url(f"{live_server.url}/anak/{child.pk}/ukur/")
    page.fill("#id_weight_kg", weight)
    page.fill("#id_height_cm", height)
    page.get_by_role("button", name="Simpan pengukuran").click()
    page.wait_for_url(f"{live_server.url}/belum-terkirim/")


def stored(page, store: str) -> int:
    """Rows in one of the outbox's IndexedDB stores, read without the app's script (the login page has none)."""
    return page.evaluate(
        """(store) => new Promise((resolve) => {
            const open = indexedDB.open("bkb-offline");
            open.onsuccess = () => {
                const db = open.result;
                if (!db.objectStoreNames.contains(store)) return resolve(0);
                const count = db.transaction(store).objectStore(store).count();
                count.onsuccess = () => resolve(count.result);
            };
        })""",
        store,
    )


def pages_kept(page) -> bool:
    return page.evaluate("caches.has('bkb-pages')")


def cached_urls(page) -> list[str]:
    return page.evaluate(
        """async () => {
            const urls = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) urls.push(request.url);
            }
            return urls;
        }"""
    )


def test_a_month_without_signal_arrives_once(world, login_page, live_server, browser, shot):
    group = world["group_a"]
    children = setup_group(group, timezone.localdate())
    siti, dede = children["Siti Aisyah"], children["Dede Kurniawan"]
    page = login_page(world["cadre_a"])
    context = page.context
    prepare(page, live_server, group)
    roster_url = f"{live_server.url}/kelompok/{group.pk}/anggota/"

    context.set_offline(True)
    # The network is really gone, for the service worker too: a page not kept gives the fallback.
    page.goto(f"{live_server.url}/laporan/dasbor/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Halaman ini tidak tersimpan di HP")

    page.goto(roster_url)
    expect(page.locator("#offline-band")).to_be_visible()
    expect(page.locator("#offline-band")).to_contain_text("Offline · data dari")
    page.get_by_role("link", name="Siti Aisyah", exact=True).click()
    page.wait_for_url(f"{live_server.url}/anak/{siti.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Siti Aisyah")
    expect(page.locator("#offline-band")).to_be_visible()
    shot("offline-1-child")

    # The session, five present.
    page.goto(roster_url)
    page.get_by_role("link", name="Catat pertemuan", exact=True).click()
    for label in ("1-2 tahun", "2-3 tahun", "3-4 tahun"):
        page.get_by_role("checkbox", name=label, exact=True).check()
    page.get_by_label("Materi").select_option(label=TOPIC)
    for mother, *_rest, came, _who in FAMILIES:
        if came:
            page.get_by_role("checkbox", name=mother, exact=True).check()
    expect(page.locator("input[name=hadir]:checked")).to_have_count(5)
    page.get_by_role("button", name="Simpan pertemuan").click()
    page.wait_for_url(f"{live_server.url}/belum-terkirim/")
    expect(page.locator("#outbox-saved")).to_be_visible()
    expect(counter(page)).to_contain_text("1")

    # A double tap stores one entry: two submits of the same form before the page moves on.
    page.goto(f"{live_server.url}/anak/{siti.pk}/ukur/")
    page.fill("#id_weight_kg", "10,5")
    page.fill("#id_height_cm", "82,0")
    with page.expect_navigation(url=f"{live_server.url}/belum-terkirim/"):
        page.evaluate(
            "() => { const form = document.querySelector('form[data-outbox]');"
            " form.requestSubmit(); form.requestSubmit(); }"
        )
    expect(counter(page)).to_contain_text("2")
    expect(page.locator("#outbox-list [data-entry]")).to_have_count(2)
    shot("offline-2-unsent")
    assert CoachingSession.objects.count() == 0
    assert Measurement.objects.count() == 0

    # Closed and opened again, still without signal: the entries are still there.
    page.close()
    page = context.new_page()
    page.goto(roster_url)
    expect(page.locator("#offline-band")).to_be_visible()
    expect(counter(page)).to_be_visible()
    expect(counter(page)).to_contain_text("Belum terkirim: 2")

    # What a second sender would send (another tab, an answer lost on the way): the same entries.
    sent = page.evaluate(f"BkbOutbox.list({world['cadre_a'].pk})")
    assert len(sent) == 2 and len({entry["key"] for entry in sent}) == 2

    # The signal returns: both arrive, once.
    context.set_offline(False)
    expect(counter(page)).to_be_hidden(timeout=WAIT)
    session = CoachingSession.objects.get()
    assert (session.group, session.topic.name) == (group, TOPIC)
    assert Attendance.objects.filter(session=session).count() == 5
    measurement = Measurement.objects.get()
    assert (measurement.child, str(measurement.weight_kg), str(measurement.height_cm)) == (siti, "10.50", "82.0")
    # Sending the same entries again changes nothing: their keys were used.
    page.evaluate("(entries) => Promise.all(entries.map((entry) => BkbOutbox.put(entry)))", sent)
    page.evaluate("BkbOutbox.replay()")
    assert page.evaluate(f"BkbOutbox.list({world['cadre_a'].pk}).then((entries) => entries.length)") == 0
    assert (CoachingSession.objects.count(), Attendance.objects.count(), Measurement.objects.count()) == (1, 5, 1)

    # A replay the server refuses (an implausible weight) waits on the unsent page, fixed there.
    context.set_offline(True)
    measure(page, live_server, dede, "45", "70")
    context.set_offline(False)
    page.goto(f"{live_server.url}/belum-terkirim/")
    entry = page.locator("#outbox-list [data-entry]")
    expect(entry).to_have_count(1)
    expect(entry.locator("[data-state]")).to_have_text("ditolak server: perlu diperbaiki", timeout=WAIT)
    expect(entry.locator("#id_weight_kg")).to_have_value("45")
    expect(entry.locator(".invalid-feedback, .text-danger").first).to_be_visible()
    expect(counter(page)).to_contain_text("1")
    assert not findings(page), findings(page)
    assert Measurement.objects.filter(child=dede).count() == 0
    entry.locator("#id_weight_kg").fill("8,2")
    entry.get_by_role("button", name="Simpan pengukuran").click()
    expect(page.locator("#outbox-sent")).to_be_visible(timeout=WAIT)
    expect(entry).to_have_count(0)
    expect(counter(page)).to_be_hidden()
    fixed = Measurement.objects.get(child=dede)
    assert str(fixed.weight_kg) == "8.20"


def test_logout_warns_and_leaves_nothing_of_the_group(world, login_page, live_server):
    group = world["group_a"]
    children = setup_group(group, timezone.localdate())
    page = login_page(world["cadre_a"])
    prepare(page, live_server, group)
    assert any(f"/anak/{children['Siti Aisyah'].pk}/" in url for url in cached_urls(page))
    # Entries the server refused stay on the phone while online.
    page.context.set_offline(True)
    measure(page, live_server, children["Dede Kurniawan"], "45", "70")
    measure(page, live_server, children["Siti Aisyah"], "46", "80")
    page.context.set_offline(False)
    page.goto(f"{live_server.url}/belum-terkirim/")
    states = page.locator("#outbox-list [data-state]")
    expect(states).to_have_text(["ditolak server: perlu diperbaiki"] * 2, timeout=WAIT)
    # She discards one.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#outbox-list [data-entry]").last.get_by_role("button", name="Buang").click()
    expect(states).to_have_count(1)
    expect(counter(page)).to_contain_text("1")

    # Keeping the entries: she stays, logged in.
    with page.expect_event("dialog") as shown:
        page.get_by_role("button", name="Keluar").click()
    assert "Ada 1 isian yang belum terkirim" in shown.value.message
    shown.value.dismiss()
    expect(page.get_by_role("button", name="Keluar")).to_be_enabled()
    assert page.evaluate(f"BkbOutbox.list({world['cadre_a'].pk}).then((entries) => entries.length)") == 1

    # Leaving anyway: logged out, nothing of the group left on the phone.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url(re.compile(r".*/masuk/$"))
    left = cached_urls(page)
    assert not [url for url in left if re.search(r"/(kelompok|anak|keluarga|pertemuan|belum-terkirim)/", url)], left
    # Her entries and what the phone knew of her (owner, prepared sets) are gone: the logout did it,
    # not only the login page's script, which touches neither.
    assert stored(page, "outbox") == 0
    assert stored(page, "meta") == 0


def test_a_session_that_ran_out_leaves_no_pages_for_the_next_cadre(world, login_page, live_server):
    group = world["group_a"]
    children = setup_group(group, timezone.localdate())
    page = login_page(world["cadre_a"])
    prepare(page, live_server, group)
    page.context.set_offline(True)
    measure(page, live_server, children["Dede Kurniawan"], "10", "70")
    # Her entry waits; her session runs out without a logout; the signal comes back.
    page.context.clear_cookies()
    page.context.set_offline(False)
    assert pages_kept(page)
    page.goto(f"{live_server.url}/masuk/")
    for _ in range(50):  # the login page's script deletes them a moment after it loads
        if not pages_kept(page):
            break
        page.wait_for_timeout(100)
    kept = [url for url in cached_urls(page) if re.search(r"/(kelompok|anak|keluarga)/", url)]
    assert not kept, kept

    # The next cadre on the phone, of the same group, sees none of the first one's entries and sends
    # none of them (it would be saved under her name).
    second = f.user("kader_a2", "cadre")
    f.cadre(group, user=second, role="inti", name="Euis")
    login_page(second)
    expect(counter(page)).to_be_hidden()
    page.evaluate("BkbOutbox.replay()")
    assert page.evaluate(f"BkbOutbox.list({second.pk}).then((entries) => entries.length)") == 0
    waiting = page.evaluate(f"BkbOutbox.list({world['cadre_a'].pk})")
    assert [entry["state"] for entry in waiting] == ["waiting"]
    assert not Measurement.objects.exists()


def test_two_saves_from_the_same_page_are_two_entries(world, login_page, live_server):
    """A form opened again with Back carries the key of the entry already stored: both are kept, both arrive."""
    group = world["group_a"]
    children = setup_group(group, timezone.localdate())
    page = login_page(world["cadre_a"])
    siti = children["Siti Aisyah"]
    page.goto(f"{live_server.url}/anak/{siti.pk}/ukur/")
    # Any page with signal keeps the unsent page on the phone, prepared or not.
    for _ in range(100):
        if page.evaluate("window.bkbShellsKept === true"):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.context.set_offline(True)
    for weight in ("10,5", "11,5"):
        if weight != "10,5":
            page.go_back()
            page.wait_for_url(f"{live_server.url}/anak/{siti.pk}/ukur/")
        page.fill("#id_weight_kg", weight)
        page.fill("#id_height_cm", "82,0")
        page.get_by_role("button", name="Simpan pengukuran").click()
        page.wait_for_url(f"{live_server.url}/belum-terkirim/")
    entries = page.evaluate(f"BkbOutbox.list({world['cadre_a'].pk})")
    assert len(entries) == 2 and len({entry["key"] for entry in entries}) == 2
    page.context.set_offline(False)
    expect(counter(page)).to_be_hidden(timeout=WAIT)
    # Both were sent, in order: the second of the day corrects the first (the app keeps one per day).
    # Had they shared a key, the second would have been taken for the first and 10.50 would stand.
    assert [str(m.weight_kg) for m in Measurement.objects.filter(child=siti)] == ["11.50"]
