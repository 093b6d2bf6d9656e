"""The passeport in the pages: the online version behind its link, the prescriber's download."""

from __future__ import annotations

import html

from tourplanner.accounts.enums import Role
from tourplanner.passeport.operations import link_token


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_online_version_shows_the_same_content(client, scene) -> None:
    """Whoever holds the link reads the companies, trades with codes, facts and grid, and may download the PDF."""
    token = link_token(scene["booking"])
    page = _text(client.get(f"/passeport/{token}"))
    for expected in (
        "Forges de la Vallée",
        "H2903",
        "Conduite de tour à commande numérique",
        "Soudage manuel",
        "CV à recrutement@forges.example",
        "Ma prochaine étape",
        f"/passeport/{token}/pdf",
    ):
        assert expected in page, expected
    pdf = client.get(f"/passeport/{token}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_a_forged_link_is_a_french_404(client, scene) -> None:
    """A token that was not signed by the application opens nothing."""
    token = link_token(scene["booking"])
    response = client.get(f"/passeport/{token[:-2]}xx")
    assert response.status_code == 404
    assert "lien de passeport n'est pas valide" in _text(response)


def test_the_prescriber_downloads_it_from_my_bookings(client, sign_in, make_user, scene) -> None:
    """« Mes inscriptions » links the PDF and the online version; another prescriber gets 404."""
    sign_in(scene["prescriber"])
    page = _text(client.get("/mes-inscriptions"))
    path = f"/mes-inscriptions/{scene['booking'].id}/passeport.pdf"
    assert path in page and f"/passeport/{link_token(scene['booking'])}" in page
    response = client.get(path)
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    sign_in(make_user(Role.PRESCRIBER))
    assert client.get(path).status_code == 404
