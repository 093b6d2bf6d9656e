"""Cohort pages: the weeks of a series in French; the organiser takes attendance and cancels a session."""

from __future__ import annotations

import html

from tests.cohorts.conftest import paris
from tourplanner.accounts.enums import Role
from tourplanner.cohorts import operations
from tourplanner.cohorts.enums import SessionStatus
from tourplanner.cohorts.models import SessionAttendance
from tourplanner.extensions import db


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_sessions_page_names_the_weeks_without_session(client, sign_in, make_cohort, make_user) -> None:
    """Anyone signed in sees the rule and each week; skipped weeks say why; the tour page links there."""
    tour = make_cohort()
    sign_in(make_user(Role.PRESCRIBER))
    assert "Séances" in _text(client.get(f"/tours/{tour.id}"))
    page = _text(client.get(f"/tours/{tour.id}/cohorte"))
    assert "Chaque mardi, 09:00 – 12:00, du 05/01/2027 au 29/06/2027" in page
    assert "vacances scolaires (Vacances d'hiver, zone A)" in page
    assert "Annuler la séance" not in page


def test_the_organiser_takes_attendance_on_the_page(
    client, sign_in, make_cohort, make_user, join, organiser, frozen_clock
) -> None:
    """Two absences in a row recorded through the form: the flash says a referent was told; radios keep the answer."""
    tour = make_cohort()
    nina = join(tour, make_user(Role.PRESCRIBER, name="Rémi Référent"), [("Nina Roux", None)]).participants[0]
    first, second = [s for s in operations.series_of(tour).sessions if s.is_held][:2]
    frozen_clock.move_to(paris(2027, 1, 12, 10))
    sign_in(organiser)
    sheet = _text(client.get(f"/tours/{tour.id}/cohorte/seances/{first.id}/presence"))
    assert "Nina Roux" in sheet and "Référent·e : Rémi Référent" in sheet
    assert (
        client.post(
            f"/tours/{tour.id}/cohorte/seances/{first.id}/presence", data={f"p-{nina.id}": "absent"}
        ).status_code
        == 302
    )
    saved = client.post(
        f"/tours/{tour.id}/cohorte/seances/{second.id}/presence", data={f"p-{nina.id}": "absent"}, follow_redirects=True
    )
    page = _text(saved)
    assert "Présences enregistrées. 1 référent prévenu d'absences répétées." in page
    assert "2 absences d'affilée" in page
    assert db.session.query(SessionAttendance).count() == 2


def test_bad_attendance_is_refused_in_french(client, sign_in, make_cohort, make_user, join, organiser) -> None:
    """A future session: 409 in French; an unknown answer: 422; nothing recorded; a prescriber gets 403."""
    tour = make_cohort()
    nina = join(tour, make_user(Role.PRESCRIBER), [("Nina Roux", None)]).participants[0]
    later = [s for s in operations.series_of(tour).sessions if s.is_held][-1]
    sign_in(organiser)
    early = client.post(f"/tours/{tour.id}/cohorte/seances/{later.id}/presence", data={f"p-{nina.id}": "absent"})
    assert early.status_code == 409 and "La présence se note une fois la séance commencée." in _text(early)
    odd = client.post(f"/tours/{tour.id}/cohorte/seances/{later.id}/presence", data={f"p-{nina.id}": "peut-être"})
    assert odd.status_code == 422 and "Choisissez « présent » ou « absent »" in _text(odd)
    assert db.session.query(SessionAttendance).count() == 0
    sign_in(make_user(Role.PRESCRIBER))
    assert client.get(f"/tours/{tour.id}/cohorte/seances/{later.id}/presence").status_code == 403


def test_the_organiser_cancels_a_future_session(client, sign_in, make_cohort, organiser) -> None:
    """The cancel button of a future week: the session is cancelled with its reason and shown as such."""
    tour = make_cohort()
    session = [s for s in operations.series_of(tour).sessions if s.is_held][3]
    sign_in(organiser)
    response = client.post(
        f"/tours/{tour.id}/cohorte/seances/{session.id}/annuler", data={"reason": "grève"}, follow_redirects=True
    )
    page = _text(response)
    assert "Séance annulée" in page and "<strong>Annulée</strong> : grève" in page
    db.session.refresh(session)
    assert session.status is SessionStatus.CANCELLED


def test_the_organiser_moves_a_session_from_the_page(client, sign_in, make_cohort, organiser) -> None:
    """The move form: the session takes its new Paris times and place; an unreadable time is refused in French."""
    tour = make_cohort()
    session = [s for s in operations.series_of(tour).sessions if s.is_held][2]
    sign_in(organiser)
    url = f"/tours/{tour.id}/cohorte/seances/{session.id}/deplacer"
    refused = client.post(url, data={"start": "demain", "end": "2027-01-20T12:00"}, follow_redirects=True)
    assert "Déplacement impossible : indiquez un début et une fin valides (jour et heure)." in _text(refused)
    moved = client.post(
        url, data={"start": "2027-01-20T14:00", "end": "2027-01-20T17:00", "place": "Forge"}, follow_redirects=True
    )
    assert "Séance déplacée" in _text(moved)
    db.session.refresh(session)
    assert (session.start_at, session.end_at, session.place) == (
        paris(2027, 1, 20, 14),
        paris(2027, 1, 20, 17),
        "Forge",
    )


def test_only_the_cohorts_own_organisers_see_the_session_actions(client, sign_in, make_cohort, organiser, make_user):
    """Attendance, cancel and move are offered to the organisers who manage the cohort, not to another territory's
    (whose actions the verbs would refuse)."""
    tour = make_cohort()
    sign_in(organiser)
    assert 'class="session-actions"' in client.get(f"/tours/{tour.id}/cohorte").get_data(as_text=True)
    sign_in(make_user(Role.ORGANISER, organisation="Territoire voisin"))
    page = client.get(f"/tours/{tour.id}/cohorte")
    assert page.status_code == 200
    assert 'class="session-actions"' not in page.get_data(as_text=True)
