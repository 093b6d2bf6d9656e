"""GET /api/v1/bookings/{id}/passeport: a real, tagged A4 PDF for the booking's prescriber and organisers."""

from __future__ import annotations

import re

from tourplanner.accounts.enums import Role
from tourplanner.bookings import operations as booking_ops
from tourplanner.extensions import db
from tourplanner.passeport.operations import online_url


def test_the_pdf_holds_companies_trades_with_rome_codes_and_the_grid(api_as, scene, pdf_text) -> None:
    """pdftotext reads the companies, each trade with its ROME code, the facts, contacts and one grid per person."""
    response = api_as(scene["prescriber"]).get(f"/bookings/{scene['booking'].id}/passeport")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    text = " ".join(pdf_text(response.data).split())
    for expected in (
        "Forges de la Vallée",
        "Biscuiterie du Pilat",
        "H2903 Conduite de tour à commande numérique",
        "H2913 Soudage manuel",  # a label of the referential, mapped to its code
        "H2102 Conducteur de ligne de fabrication",
        "I1304 Technicien de maintenance",
        "1 900 à 2 300 € brut par mois",
        "Tutorat de six mois et CQPM",
        "2 régleurs, 1 soudeur",
        "CV à recrutement@forges.example",
        "Sophie Martin, RH",
        "Paul Conseiller",
        "paul@ft.example",
        "Claire Organisatrice",
        "Ce que j'ai vu",
        "Ce qui m'a plu",
        "Ce que je dois apprendre",
        "Ma prochaine étape",
    ):
        assert expected in text, expected
    assert "Ma grille d'auto-évaluation — Inès Roche" in text
    assert "Ma grille d'auto-évaluation — Karim Benali" in text


def test_the_pdf_is_a4_tagged_titled_with_a_link_to_the_online_version(
    api_as, client, scene, pdf_info, pdf_text
) -> None:
    """A4 pages, a tagged PDF with its title; the QR code's address is printed and opens the online passeport."""
    pdf = api_as(Role.ORGANISER).get(f"/bookings/{scene['booking'].id}/passeport").data
    info = pdf_info(pdf)
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    assert re.search(r"Tagged:\s+yes", info), info
    assert re.search(r"Title:\s+Passeport métiers — ZI Tour Vallée du Gier", info), info
    assert b"<svg" not in pdf  # the QR code is drawn, not left as markup
    url = online_url(scene["booking"])
    assert url.startswith("http://tourplanner.test/passeport/")
    assert url in "".join(pdf_text(pdf, layout=False).split())
    page = client.get(url.removeprefix("http://tourplanner.test"))
    assert page.status_code == 200
    assert "Forges de la Vallée" in page.get_data(as_text=True)


def test_another_prescriber_gets_404_and_a_company_contact_403(api_as, scene) -> None:
    """Only its prescriber and organisers: others learn nothing (404) or are refused by role (403)."""
    path = f"/bookings/{scene['booking'].id}/passeport"
    assert api_as(Role.PRESCRIBER).get(path).status_code == 404
    assert api_as(scene["company_user"]).get(path).status_code == 403
    assert api_as(Role.AMBASSADOR).get(path).status_code == 403
    assert api_as(Role.PRESCRIBER).get("/bookings/999999/passeport").status_code == 404
    assert api_as(scene["prescriber"]).get(path, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_a_cancelled_booking_has_no_passeport(api_as, scene) -> None:
    """409 once the booking is cancelled."""
    booking_ops.cancel_booking(scene["booking"], scene["organiser"])
    db.session.commit()
    response = api_as(scene["prescriber"]).get(f"/bookings/{scene['booking'].id}/passeport")
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
