"""Bytes a cadre's phone transfers: the first cadre page, each later page, the offline working set.

Counted as they cross the wire: the status line and headers plus the body as sent (HTML gzip-
compressed by GZipMiddleware, static files compressed too). The first page brings every static
file it names, the manifest, the service worker and what the service worker loads and keeps at
install; later pages find those in the phone's cache. The working set comes in one answer
("Siapkan untuk offline"); fetched page by page it would cost `working_set_one_by_one`.
Used by `make bench` (the table) and by tests/test_weights.py (the budgets).
"""

import gzip
import json
import re

from django.urls import reverse

FIRST_LOAD_BUDGET = 80_000
LATER_PAGE_BUDGET = 10_000
WORKING_SET_BUDGET = 600_000
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip"}


def on_the_wire(response) -> int:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    status_line = f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n"
    return len(status_line) + len(response.serialize_headers()) + len(body)


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return (gzip.decompress(body) if response.get("Content-Encoding") == "gzip" else body).decode()


def cadre_weights(client, group) -> dict:
    """`client` is logged in as one of the group's cadres."""
    first_url = reverse("sessions:roster", args=[group.pk])
    first = client.get(first_url, **GZIP)
    html = _text(first)
    worker = client.get(reverse("service_worker"), **GZIP)
    files = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', html))
    files |= set(re.findall(r'"(/static/[^"]+)"', _text(worker)))
    manifest = client.get(reverse("manifest"), **GZIP)
    # The browser fetches the manifest's icons to decide the app can be installed.
    files |= {icon["src"] for icon in json.loads(_text(manifest))["icons"]}
    extra = [client.get(url, **GZIP) for url in sorted(files)] + [worker, manifest]
    first_load = on_the_wire(first) + sum(on_the_wire(response) for response in extra)

    listing = client.get(reverse("sessions:offline_set", args=[group.pk]), **GZIP)
    pages = {}
    kept = json.loads(_text(listing))["pages"]
    for url, _html in kept:
        # Each page as a later visit with signal brings it (static files already on the phone).
        response = client.get(url, **GZIP)
        assert response.status_code == 200, url
        pages[url] = on_the_wire(response)
    heaviest = max(pages, key=pages.get)
    return {
        "first_load": first_load,
        "static_files": len(files),
        "later_max": pages[heaviest],
        "later_max_url": heaviest,
        "later_median": sorted(pages.values())[len(pages) // 2],
        # "Siapkan untuk offline" brings the whole set in this one answer.
        "working_set": on_the_wire(listing),
        "working_set_one_by_one": sum(pages.values()),
        "pages": len(pages),
    }
