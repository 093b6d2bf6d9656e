"""The passeport as a document: HTML for the online version, a tagged A4 PDF (WeasyPrint) to print.

The PDF is PDF/UA-1 (tagged, real text, its language and title set), so screen readers
read it; the QR code (segno, inline SVG) leads to the online version.
"""

from __future__ import annotations

from pathlib import Path

import segno
from flask import render_template
from markupsafe import Markup

from tourplanner.bookings.models import Booking
from tourplanner.passeport.content import Passeport, build_passeport
from tourplanner.passeport.operations import online_url

#: The print stylesheet (A4 pages), beside the pages' own CSS.
PRINT_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "passeport_print.css"


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code of `url`, described for assistive technologies."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=3, border=2, title="Code QR vers la version en ligne du passeport")
    return Markup(
        svg.replace("<svg ", '<svg role="img" aria-label="Code QR vers la version en ligne du passeport" ', 1)
    )


def render_html(booking: Booking, template: str = "passeport/pdf.html", **context: object) -> str:
    """The passeport of a booking as HTML: the PDF's source, or the online page (template="passeport/online.html")."""
    passeport = build_passeport(booking)
    url = online_url(booking)
    return render_template(template, passeport=passeport, online_url=url, qr=qr_svg(url), **context)


def render_pdf(booking: Booking) -> bytes:
    """The passeport of a booking as a tagged A4 PDF."""
    return html_to_pdf(render_html(booking))


def html_to_pdf(html: str) -> bytes:
    """A PDF/UA-1 document (tagged, with real text) from the passeport's HTML."""
    from weasyprint import CSS, HTML  # imported here: pango loads once, when a PDF is first made

    document = HTML(string=html, base_url=str(PRINT_CSS.parent))
    return document.write_pdf(stylesheets=[CSS(filename=str(PRINT_CSS))], pdf_variant="pdf/ua-1", pdf_tags=True)


def filename(passeport: Passeport) -> str:
    """The PDF's download name."""
    return f"passeport-{passeport.booking_id}.pdf"
