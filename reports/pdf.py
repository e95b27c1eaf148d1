"""Render HTML templates to PDF with WeasyPrint. Only renders: figures come from elsewhere."""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string


def _fetch_static(url: str):
    """Serve /static/… from the finders so PDFs need no running server."""
    from weasyprint.urls import default_url_fetcher

    if url.startswith("file://") or not url.startswith(("http://", "https://")):
        return default_url_fetcher(url)
    path = url.split("://", 1)[1].split("/", 1)[1] if "/" in url.split("://", 1)[1] else ""
    if path.startswith(settings.STATIC_URL.lstrip("/")):
        found = finders.find(path[len(settings.STATIC_URL.lstrip("/")) :])
        if found:
            return {"file_obj": open(found, "rb"), "mime_type": None}  # noqa: SIM115 - WeasyPrint closes it
    return default_url_fetcher(url)


def render_pdf(template: str, context: dict, *, request=None) -> bytes:
    """Render `template` with `context` and return the PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    return HTML(string=html, base_url="http://bkb.local/", url_fetcher=_fetch_static).write_pdf()
