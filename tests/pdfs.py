"""Reading PDFs back in tests with pypdf: text and fonts, no system tools needed."""

import io

from pypdf import PdfReader


def pdf_pages(content: bytes) -> list[str]:
    assert content[:4] == b"%PDF", content[:40]
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def pdf_text(content: bytes) -> str:
    return "\n".join(pdf_pages(content))


def pdf_fonts(content: bytes) -> dict[str, bool]:
    """{font name: embedded?} for every font the pages use (Type 0 fonts through their descendants)."""
    fonts: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(content)).pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        for ref in (resources.get_object().get("/Font") or {}).values():
            font = ref.get_object()
            described = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            for part in described:
                descriptor = part.get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor is not None else {}
                embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
                fonts[str(font.get("/BaseFont"))] = embedded
    return fonts
