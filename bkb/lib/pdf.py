"""Render HTML to PDF with WeasyPrint. Only renders: figures come from elsewhere.

PDF templates carry their CSS inline and draw charts as inline SVG, so
rendering fetches nothing (no server, no network). Fonts come from the
system (DejaVu, installed by CI) and WeasyPrint embeds the glyphs used.
"""

from django.template.loader import render_to_string


def html_document(html: str):
    """A laid-out WeasyPrint document, for callers that combine pages."""
    from weasyprint import HTML  # heavy import: only when a PDF is made

    return HTML(string=html).render()


def render_pdf(template: str, context: dict, *, request=None) -> bytes:
    """Render `template` with `context` and return the PDF bytes."""
    return html_document(render_to_string(template, context, request=request)).write_pdf()
