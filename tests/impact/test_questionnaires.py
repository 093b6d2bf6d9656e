"""Perception questionnaires as an organisation's data: per audience, edited on a page, asked by the signed link."""

from __future__ import annotations

import re

import pytest
import time_machine

from tests.impact.conftest import paris
from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.extensions import db
from tourplanner.impact import jobs
from tourplanner.impact.enums import Moment, Respondent
from tourplanner.impact.models import PerceptionAnswer, Questionnaire, QuestionnaireQuestion
from tourplanner.impact.questionnaires import DEFAULT_QUESTIONS, Question, questions_for
from tourplanner.mail.models import OutboxMail
from tourplanner.sites.enums import VisitResponse
from tourplanner.tours.enums import TourStatus

FORM = "/organisateur/questionnaires"


@pytest.fixture
def upcoming(history):
    """A tour on 15 March 2027 of the organiser's organisation at C1 (contact Ulysse), P1 booked with Alice."""
    history.company("C1", "Lyon Est", contact="Ulysse")
    history.prescriber("P1", "Mission locale Lyon", OrganisationKind.MISSION_LOCALE)
    history.tour("T", paris(2027, 3, 15), status=TourStatus.PUBLISHED, visits=[("C1", VisitResponse.CONFIRMED)])
    history.book("T", "P1", 1, {"Alice": None})
    db.session.commit()
    return history


def _form(headline: str, *rows: tuple[str, str, str]) -> dict[str, str]:
    """The page's form: the headline, then rows of (key, text, order)."""
    data = {"headline": headline}
    for index, (key, text, order) in enumerate(rows, start=1):
        data |= {f"key-{index}": key, f"text-{index}": text, f"order-{index}": order}
    return data


def test_an_organisation_without_its_own_asks_the_defaults(upcoming):
    """No questionnaire stored: the tour asks the default statements, per audience."""
    organisation_id = upcoming.tours["T"].organisation_id
    for respondent in Respondent:
        assert questions_for(organisation_id, respondent) == list(DEFAULT_QUESTIONS[respondent])
    assert db.session.query(Questionnaire).count() == 0


def test_the_organiser_edits_a_questionnaire_on_the_page(upcoming, client, sign_in):
    """Reword the headline (its key stays), reorder, remove and add statements; the other audience is untouched."""
    sign_in(upcoming.organiser)
    page = client.get(FORM)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Questions par défaut" in text and "L&#39;industrie offre des débouchés à mes publics." in text
    saved = client.post(
        f"{FORM}/prescriber",
        data=_form(
            "L'industrie recrute les personnes que j'accompagne.",
            ("metiers", "Je connais les métiers de l'industrie de mon territoire.", "3"),
            ("orienter", "", "4"),  # emptied: removed
            ("", "Je sais où trouver les offres d'emploi industrielles.", "2"),
        ),
        follow_redirects=True,
    )
    assert saved.status_code == 200 and "enregistré" in saved.get_data(as_text=True)
    organisation_id = upcoming.organiser.organisation_id
    assert questions_for(organisation_id, Respondent.PRESCRIBER) == [
        Question("debouches", "L'industrie recrute les personnes que j'accompagne."),
        Question("je_sais_ou_trouver_les_offres", "Je sais où trouver les offres d'emploi industrielles."),
        Question("metiers", "Je connais les métiers de l'industrie de mon territoire."),
    ]
    assert questions_for(organisation_id, Respondent.COMPANY) == list(DEFAULT_QUESTIONS[Respondent.COMPANY])
    # Another organisation's tours still ask the defaults.
    assert questions_for(None, Respondent.PRESCRIBER) == list(DEFAULT_QUESTIONS[Respondent.PRESCRIBER])


def test_the_headline_keeps_its_key_and_place(upcoming, client, sign_in):
    """A statement ordered before the headline still comes after it; the headline's key never changes."""
    sign_in(upcoming.organiser)
    client.post(f"{FORM}/company", data=_form("Les reconvertis réussissent chez nous.", ("", "Nouvelle.", "1")))
    questions = questions_for(upcoming.organiser.organisation_id, Respondent.COMPANY)
    assert [q.key for q in questions] == ["reconversion", "nouvelle"]


def test_a_faulty_questionnaire_is_refused_in_french_and_writes_nothing(upcoming, client, sign_in):
    """An empty headline, a bad order number or too long a statement: 422 naming it, nothing stored."""
    sign_in(upcoming.organiser)
    empty = client.post(f"{FORM}/prescriber", data=_form("  ", ("metiers", "Je connais.", "2")))
    assert empty.status_code == 422
    assert "le texte de l&#39;affirmation est obligatoire" in empty.get_data(as_text=True)
    order = client.post(f"{FORM}/prescriber", data=_form("Titre", ("metiers", "Je connais.", "deux")))
    assert order.status_code == 422 and "n&#39;est pas un numéro d&#39;ordre" in order.get_data(as_text=True)
    long = client.post(f"{FORM}/prescriber", data=_form("x" * 301))
    assert long.status_code == 422 and "300 caractères au plus" in long.get_data(as_text=True)
    assert client.post("/organisateur/questionnaires/ambassador", data=_form("Titre")).status_code == 404
    assert db.session.query(Questionnaire).count() == 0
    assert db.session.query(QuestionnaireQuestion).count() == 0


def test_going_back_to_the_defaults(upcoming, client, sign_in):
    """The reset button deletes the organisation's own questionnaire: the defaults are asked again."""
    sign_in(upcoming.organiser)
    client.post(f"{FORM}/prescriber", data=_form("Autre titre"))
    organisation_id = upcoming.organiser.organisation_id
    assert [q.text for q in questions_for(organisation_id, Respondent.PRESCRIBER)] == ["Autre titre"]
    assert client.post(f"{FORM}/prescriber/defaut").status_code == 302
    assert questions_for(organisation_id, Respondent.PRESCRIBER) == list(DEFAULT_QUESTIONS[Respondent.PRESCRIBER])
    assert db.session.query(QuestionnaireQuestion).count() == 0


def test_the_questionnaires_page_is_for_organisers(make_user, client, sign_in):
    """A prescriber may neither read nor change the questionnaires (403)."""
    sign_in(make_user(Role.PRESCRIBER))
    assert client.get(FORM).status_code == 403
    assert client.post(f"{FORM}/prescriber", data=_form("Titre")).status_code == 403
    assert db.session.query(Questionnaire).count() == 0


def test_the_signed_link_asks_the_organisations_statements(upcoming, client, sign_in):
    """The mailed questionnaire shows the edited statements; the headline's answer is the score, others by key."""
    sign_in(upcoming.organiser)
    client.post(
        f"{FORM}/prescriber",
        data=_form("L'industrie recrute mes publics.", ("", "J'ai envie d'y envoyer mes publics.", "2")),
    )
    with time_machine.travel(paris(2027, 3, 1, 10), tick=False):
        jobs.send_perception_questionnaires()
    mail = db.session.query(OutboxMail).filter_by(recipient="p1@example.fr").one()
    path = re.search(r"http://tourplanner\.test(/questionnaire/[^\s]+)", mail.body_text).group(1)
    with time_machine.travel(paris(2027, 3, 2, 8), tick=False):
        page = client.get(path).get_data(as_text=True)
        assert "L&#39;industrie recrute mes publics." in page and "2 affirmations" in page
        assert "Je connais les métiers" not in page
        assert client.post(path, data={"debouches": "2", "j_ai_envie_d_y_envoyer_mes_pub": "5"}).status_code == 200
    answer = db.session.query(PerceptionAnswer).one()
    assert (answer.score, answer.scores) == (2, {"j_ai_envie_d_y_envoyer_mes_pub": 5})


def test_the_api_keeps_its_contract_and_refuses_unknown_statements(upcoming, api_as):
    """POST perception with the contract's body still answers 201; a score for a statement not asked is a 422."""
    tour = upcoming.tours["T"].id
    api = api_as(upcoming.users["P1"])
    unknown = api.post(f"/tours/{tour}/perception", json={"moment": "before", "score": 4, "scores": {"nope": 3}})
    assert unknown.status_code == 422
    assert [error["field"] for error in unknown.json["errors"]] == ["scores.nope"]
    assert api.post(f"/tours/{tour}/perception", json={"moment": "before", "score": 4}).status_code == 201
    after = api.post(f"/tours/{tour}/perception", json={"moment": "after", "score": 5, "scores": {"metiers": 4}})
    assert after.status_code == 201
    assert db.session.query(PerceptionAnswer).filter_by(moment=Moment.AFTER).one().scores == {"metiers": 4}


def test_two_first_saves_at_once_keep_one_questionnaire(upcoming, monkeypatch):
    """When another organiser saved the first version meanwhile, the unique key wins: 409, the first one kept."""
    from tourplanner.errors import Conflict
    from tourplanner.impact import questionnaires

    questionnaires.set_questions(upcoming.organiser, Respondent.COMPANY, ["Premier enregistré."])
    db.session.commit()
    monkeypatch.setattr(questionnaires, "_stored", lambda organisation_id, respondent: None)  # read before the save
    with pytest.raises(Conflict):
        questionnaires.set_questions(upcoming.organiser, Respondent.COMPANY, ["Second."])
    db.session.rollback()
    monkeypatch.undo()
    assert [q.text for q in questions_for(upcoming.organiser.organisation_id, Respondent.COMPANY)] == [
        "Premier enregistré."
    ]
