"""Who may read a tour or a site: one rule for the API and the pages."""

from __future__ import annotations

import pytest

from tourplanner.accounts.enums import Role
from tourplanner.tours.queries import get_visible_tour, is_tour_visible


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR])
def test_a_draft_tour_is_404_to_others_than_organisers_in_the_api(api_as, make_tour, role: Role) -> None:
    """GET /api/v1/tours/{draft} answers 404 to a prescriber, a company contact or an ambassador."""
    draft = make_tour()
    response = api_as(role).get(f"/tours/{draft.id}")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_a_draft_tour_is_readable_by_organisers_in_the_api(api_as, make_tour) -> None:
    """An organiser reads a draft through the API."""
    draft = make_tour()
    response = api_as(Role.ORGANISER).get(f"/tours/{draft.id}")
    assert response.status_code == 200
    assert response.json["status"] == "draft"


def test_a_published_tour_is_readable_by_a_prescriber_in_the_api(api_as, make_tour) -> None:
    """Once published, the same tour answers 200 to a prescriber."""
    tour = make_tour(published=True)
    assert api_as(Role.PRESCRIBER).get(f"/tours/{tour.id}").status_code == 200


def test_the_page_and_the_api_agree_on_a_draft(api_as, make_tour, make_user, sign_in, client) -> None:
    """A prescriber gets 404 on a draft both from the page and from the API; an organiser 200 from both."""
    draft = make_tour()
    prescriber = make_user(Role.PRESCRIBER)
    api = api_as(prescriber)
    sign_in(prescriber)
    assert client.get(f"/tours/{draft.id}").status_code == 404
    assert api.get(f"/tours/{draft.id}").status_code == 404


def test_the_page_shows_a_draft_to_an_organiser(make_tour, make_user, sign_in, client) -> None:
    """An organiser opens a draft's page."""
    draft = make_tour()
    sign_in(make_user(Role.ORGANISER))
    assert client.get(f"/tours/{draft.id}").status_code == 200


def test_the_domain_rule(app, make_tour, make_user) -> None:
    """is_tour_visible / get_visible_tour: drafts for organisers only, unknown ids NotFound."""
    from tourplanner.errors import NotFound

    draft, published = make_tour(), make_tour(published=True)
    prescriber, organiser = make_user(Role.PRESCRIBER), make_user(Role.ORGANISER)
    assert not is_tour_visible(prescriber, draft)
    assert is_tour_visible(organiser, draft)
    assert is_tour_visible(prescriber, published)
    assert get_visible_tour(organiser, draft.id) is draft
    with pytest.raises(NotFound):
        get_visible_tour(prescriber, draft.id)
    with pytest.raises(NotFound):
        get_visible_tour(organiser, 2**31 - 1)


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.AMBASSADOR])
def test_a_site_is_read_only_by_those_who_may_list_sites(api_as, make_site, role: Role) -> None:
    """Who may not list sites (403) may not read one either (403), the same answer for list and detail."""
    site = make_site()
    api = api_as(role)
    assert api.get("/sites").status_code == 403
    assert api.get(f"/sites/{site.id}").status_code == 403


def test_a_company_reads_its_own_sites_only(api_as, make_site) -> None:
    """A company contact lists and reads its own sites; another company's site answers 404 like an unknown one."""
    mine_api = api_as(Role.COMPANY)
    mine = make_site(organisation=mine_api.user.organisation)
    other = make_site()
    listed = [site["id"] for site in mine_api.get("/sites").json["sites"]]
    assert listed == [mine.id]
    assert mine_api.get(f"/sites/{mine.id}").status_code == 200
    assert mine_api.get(f"/sites/{other.id}").status_code == 404


def test_an_organiser_reads_every_site(api_as, make_site) -> None:
    """An organiser lists and reads any site."""
    site = make_site()
    api = api_as(Role.ORGANISER)
    assert site.id in [item["id"] for item in api.get("/sites").json["sites"]]
    assert api.get(f"/sites/{site.id}").status_code == 200


@pytest.mark.parametrize("path", ["/tours/{}/agenda", "/tours/{}/workshops", "/tours/{}/trades"])
def test_a_drafts_agenda_workshops_and_trades_are_404_to_a_prescriber(api_as, make_tour, path: str) -> None:
    """The tour's sub-resources any signed-in user reads hide a draft the same way (404), not just GET /tours/{id}."""
    draft = make_tour()
    assert api_as(Role.PRESCRIBER).get(path.format(draft.id)).status_code == 404
    assert api_as(draft.created_by).get(path.format(draft.id)).status_code != 404
