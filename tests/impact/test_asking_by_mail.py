"""Questionnaires by signed link (before, after, one reminder), outcomes asked at 1, 3, 6 months, the visit
assessment."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine

from tests.impact.conftest import paris
from tourplanner.bookings.enums import Attendance
from tourplanner.extensions import db
from tourplanner.impact import jobs
from tourplanner.impact.enums import Moment
from tourplanner.impact.models import CompanyAssessment, Outcome, PerceptionAnswer
from tourplanner.mail.models import OutboxMail
from tourplanner.sites.enums import VisitResponse
from tourplanner.tours.enums import TourStatus


@pytest.fixture
def upcoming(history):
    """A tour on 15 March 2027 at C1 (contact Ulysse), P1 booked with Alice and Bruno."""
    from tourplanner.accounts.enums import OrganisationKind

    history.company("C1", "Lyon Est", contact="Ulysse")
    history.prescriber("P1", "Mission locale Lyon", OrganisationKind.MISSION_LOCALE)
    history.tour("T", paris(2027, 3, 15), status=TourStatus.PUBLISHED, visits=[("C1", VisitResponse.CONFIRMED)])
    history.book("T", "P1", 2, {"Alice": None, "Bruno": None})
    db.session.commit()
    return history


def _mails(to: str | None = None) -> list[OutboxMail]:
    query = db.session.query(OutboxMail).order_by(OutboxMail.id)
    return [m for m in query if to is None or m.recipient == to]


def _path(mail: OutboxMail, prefix: str) -> str:
    return re.search(rf"http://tourplanner\.test({prefix}[^\s]+)", mail.body_text).group(1)


def _run(when, job=jobs.send_perception_questionnaires) -> int:
    with time_machine.travel(when, tick=False):
        return job()


def test_questionnaires_before_after_and_a_single_reminder(upcoming):
    """Before: at once for the booked prescriber and the visited company; after: the day after; one reminder."""
    assert _run(paris(2027, 3, 1, 10)) == 2
    assert {m.recipient for m in _mails()} == {"p1@example.fr", "ulysse@example.fr"}
    assert _run(paris(2027, 3, 1, 10, 5)) == 0  # never twice
    assert _run(paris(2027, 3, 2, 3)) == 0  # no mail at night
    # Ulysse answers before the reminder:
    db.session.add(
        PerceptionAnswer(
            tour_id=upcoming.tours["T"].id,
            user_id=upcoming.users["Ulysse"].id,
            respondent="company",
            moment=Moment.BEFORE,
            score=3,
        )
    )
    db.session.commit()
    assert _run(paris(2027, 3, 4, 11)) == 1  # three days on: P1's reminder only
    assert _mails()[-1].subject.startswith("Rappel") and _mails()[-1].recipient == "p1@example.fr"
    assert _run(paris(2027, 3, 8, 11)) == 0  # a single reminder
    assert _run(paris(2027, 3, 15, 18)) == 0  # the evening of the tour: not yet
    assert _run(paris(2027, 3, 16, 9)) == 2  # the day after
    after = _mails("ulysse@example.fr")[-1]
    assert "/questionnaire/" in after.body_text and "/evaluation-visite/" in after.body_text
    assert "/evaluation-visite/" not in _mails("p1@example.fr")[-1].body_text


def test_the_signed_questionnaire_is_answered_once_without_signing_in(upcoming, client):
    """The link opens the form with no session; the answer is recorded once; a tampered link is refused."""
    _run(paris(2027, 3, 1, 10))
    path = _path(_mails("p1@example.fr")[0], "/questionnaire/")
    with time_machine.travel(paris(2027, 3, 2, 8), tick=False):
        _answer_once(client, path)


def _answer_once(client, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200 and "L&#39;industrie offre des débouchés à mes publics." in page.get_data(
        as_text=True
    )
    refused = client.post(path, data={"debouches": "", "metiers": "9"})
    assert refused.status_code == 422 and db.session.query(PerceptionAnswer).count() == 0
    done = client.post(path, data={"debouches": "2", "metiers": "4", "comment": "Je découvre"})
    assert done.status_code == 200
    answer = db.session.query(PerceptionAnswer).one()
    assert (answer.moment, answer.score, answer.scores, answer.comment) == (
        Moment.BEFORE,
        2,
        {"metiers": 4},
        "Je découvre",
    )
    again = client.get(path)
    assert "déjà répondu" in again.get_data(as_text=True)
    assert client.post(path, data={"debouches": "5"}).status_code == 200
    assert db.session.query(PerceptionAnswer).count() == 1
    assert client.get(path[:-3] + "abc").status_code == 404


def test_outcomes_asked_at_1_3_and_6_months_on_one_page(upcoming, client):
    """One mail per prescriber and tour at each of 1, 3 and 6 months; the page records all its lines or none."""
    tour = upcoming.tours["T"]
    tour.status = TourStatus.DONE
    upcoming.people["Alice"].attendance = Attendance.PRESENT
    db.session.commit()
    assert _run(paris(2027, 4, 10, 10), jobs.ask_outcomes) == 0  # not a month yet
    assert _run(paris(2027, 4, 16, 10), jobs.ask_outcomes) == 1
    assert _run(paris(2027, 4, 16, 11), jobs.ask_outcomes) == 0
    assert _run(paris(2027, 6, 16, 10), jobs.ask_outcomes) == 1
    assert _run(paris(2027, 9, 16, 10), jobs.ask_outcomes) == 1
    assert _run(paris(2027, 12, 16, 10), jobs.ask_outcomes) == 0
    path = _path(_mails("p1@example.fr")[0], "/suivi/")
    with time_machine.travel(paris(2027, 5, 2, 8), tick=False):
        _record_outcomes(client, path, upcoming)


def _record_outcomes(client, path: str, upcoming) -> None:
    page = client.get(path).get_data(as_text=True)
    assert "Alice" in page and "Bruno" in page
    alice, bruno = upcoming.people["Alice"].id, upcoming.people["Bruno"].id
    bad = client.post(
        path,
        data={
            f"kind-{alice}": "recruitment",
            f"date-{alice}": "2027-05-01",
            f"contract-{alice}": "cdi",
            f"kind-{bruno}": "training",
            f"date-{bruno}": "",
        },
    )
    assert bad.status_code == 422 and db.session.query(Outcome).count() == 0
    good = client.post(
        path,
        data={
            f"kind-{alice}": "recruitment",
            f"date-{alice}": "2027-05-01",
            f"contract-{alice}": "cdi",
            f"kind-{bruno}": "",
        },
    )
    assert good.status_code == 200
    outcome = db.session.query(Outcome).one()
    assert (outcome.participant_id, outcome.occurred_on, outcome.contract.value) == (alice, date(2027, 5, 1), "cdi")


def test_the_host_company_assesses_its_visit(upcoming, client):
    """From the link of the day-after mail: one assessment per company and tour, corrected in place."""
    _run(paris(2027, 3, 16, 9))
    path = _path(_mails("ulysse@example.fr")[0], "/evaluation-visite/")
    with time_machine.travel(paris(2027, 3, 16, 10), tick=False):
        _assess(client, path)


def _assess(client, path: str) -> None:
    assert client.post(path, data={"visitors": "-3"}).status_code == 422
    data = {"went_as_planned": "oui", "visitors": "14", "profiles_spotted": "3", "intends_to_recruit": "1"}
    assert client.post(path, data=data).status_code == 200
    assert client.post(path, data={**data, "visitors": "15"}).status_code == 200
    assessment = db.session.query(CompanyAssessment).one()
    assert (
        assessment.went_as_planned,
        assessment.visitors,
        assessment.profiles_spotted,
        assessment.intends_to_recruit,
        assessment.intends_immersion,
    ) == (True, 15, 3, True, False)
