"""Render HTML to PDF with WeasyPrint. Only renders: figures come from elsewhere.

PDF templates carry their CSS inline and draw charts as inline SVG, so
rendering fetches nothing (no server, no network). Fonts come from the
system (DejaVu, installed by CI) and WeasyPrint embeds the glyphs used.
"""

from django.template.loader import render_to_string


def html_document(html: str, *, fonts=None):
    """A laid-out WeasyPrint document, for callers that combine pages.

    `fonts` (from `shared_fonts`) lets the parts of one PDF share their font set-up."""
    from weasyprint import HTML  # heavy import: only when a PDF is made

    return HTML(string=html).render(font_config=fonts)


def shared_fonts():
    """One font configuration for the parts of one PDF: each part would otherwise load the fonts again."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_pdf(template: str, context: dict, *, request=None) -> bytes:
    """Render `template` with `context` and return the PDF bytes."""
    return html_document(render_to_string(template, context, request=request)).write_pdf()
