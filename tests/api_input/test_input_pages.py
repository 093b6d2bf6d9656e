"""Hostile input to the pages: French refusals, never a 500."""

from __future__ import annotations

from tourplanner.accounts.enums import Role


def test_a_form_value_with_a_nul_character_is_refused_in_french(client) -> None:
    """A form field holding a NUL character answers a 422 page naming the field, in French."""
    response = client.post("/connexion", data={"email": "camille\x00@example.fr"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "caractère nul" in page and "email" in page


def test_a_nul_character_in_a_page_query_is_refused(make_user, sign_in, client) -> None:
    """A query parameter holding a NUL character answers 422 on a page too."""
    sign_in(make_user(Role.ORGANISER))
    response = client.get("/tours?filtre=a%00b")
    assert response.status_code == 422


def test_page_ids_beyond_the_integer_range_are_404(make_user, sign_in, client) -> None:
    """A page's id beyond INTEGER answers 404 on GET and POST alike."""
    sign_in(make_user(Role.ORGANISER))
    for method in ("GET", "POST"):
        assert client.open(f"/tours/{2**31}", method=method).status_code == 404
        assert client.open(f"/tours/{10**30}/modifier", method=method).status_code == 404
