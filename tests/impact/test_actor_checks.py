"""The questionnaires and the person search check their actor themselves: organisers only, whatever the route."""

from __future__ import annotations

import pytest

from tests.pages.helpers import text_of
from tourplanner.accounts.enums import Role
from tourplanner.errors import PermissionDenied
from tourplanner.extensions import db
from tourplanner.impact import operations, questionnaires
from tourplanner.impact.enums import Respondent
from tourplanner.impact.models import Questionnaire
from tourplanner.impact.queries import is_organisation_choice, organisation_choices

NOT_ORGANISERS = [Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR]


@pytest.mark.parametrize("role", NOT_ORGANISERS)
def test_questionnaires_of_refuses_anyone_but_an_organiser(make_user, role: Role) -> None:
    """questionnaires_of (the questionnaires page's read) refuses anyone but an organiser."""
    with pytest.raises(PermissionDenied):
        questionnaires.questionnaires_of(make_user(role))


@pytest.mark.parametrize("role", NOT_ORGANISERS)
def test_set_questions_refuses_anyone_but_an_organiser(make_user, role: Role) -> None:
    """set_questions refuses anyone but an organiser, and stores nothing."""
    with pytest.raises(PermissionDenied):
        questionnaires.set_questions(make_user(role), Respondent.PRESCRIBER, ["Ce que je pense de l'industrie"])
    assert db.session.query(Questionnaire).count() == 0


@pytest.mark.parametrize("role", NOT_ORGANISERS)
def test_reset_questions_refuses_anyone_but_an_organiser(make_user, role: Role) -> None:
    """reset_questions refuses anyone but an organiser."""
    with pytest.raises(PermissionDenied):
        questionnaires.reset_questions(make_user(role), Respondent.COMPANY)


@pytest.mark.parametrize("role", NOT_ORGANISERS)
def test_find_person_refuses_anyone_but_an_organiser_even_before_a_search(make_user, role: Role) -> None:
    """find_person refuses anyone but an organiser, with an address or before one is typed (the empty form)."""
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        operations.find_person(None, user)
    with pytest.raises(PermissionDenied):
        operations.find_person("alice@example.fr", user)


def test_find_person_before_a_search_finds_nobody(make_user) -> None:
    """An organiser's empty search form finds nobody, and is not an error."""
    assert operations.find_person(None, make_user(Role.ORGANISER)) == []


def test_the_questionnaire_reset_and_person_pages_refuse_a_prescriber(make_user, client, sign_in) -> None:
    """The questionnaires' reset and the person page (even empty) answer a prescriber with the French 403 page."""
    sign_in(make_user(Role.PRESCRIBER))
    for response in (
        client.post("/organisateur/questionnaires/company/defaut"),
        client.get("/organisateur/personnes"),
        client.get("/organisateur/personnes?email=alice@example.fr"),
    ):
        assert response.status_code == 403
        assert "action réservée aux organisateurs" in text_of(response).lower()


def test_the_bilan_offers_existing_organisations_only(make_user, client, sign_in) -> None:
    """is_organisation_choice: an existing organisation is a choice, an unknown id is not (the page says so, 422)."""
    organiser = make_user(Role.ORGANISER)
    prescriber = make_user(Role.PRESCRIBER, organisation="Mission locale de Lyon")
    assert is_organisation_choice(prescriber.organisation_id)
    assert prescriber.organisation in organisation_choices()
    unknown = max(o.id for o in organisation_choices()) + 1
    assert not is_organisation_choice(unknown)
    sign_in(organiser)
    chosen = client.get(f"/organisateur/bilan?du=2027-01-01&au=2027-06-30&organisation={prescriber.organisation_id}")
    assert chosen.status_code == 200
    refused = client.get(f"/organisateur/bilan?du=2027-01-01&au=2027-06-30&organisation={unknown}")
    assert refused.status_code == 422 and "Organisation : choix non reconnu." in text_of(refused)
