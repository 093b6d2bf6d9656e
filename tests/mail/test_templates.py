"""Mail bodies come from the templates under routes/templates/mail/: a text part, an HTML part with the same
facts, every name escaped in HTML, the pages' formatting filters."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import escape
from sqlalchemy import select

from tests.conftest import PARIS
from tests.mail.mail_parts import urls, visible
from tourplanner import jobs
from tourplanner.accounts.enums import Role
from tourplanner.calendar.enums import Audience
from tourplanner.calendar.messages import Cause, cancellation_text, follow_up_text, invitation_text, reminder_text
from tourplanner.mail.compose import compose
from tourplanner.mail.models import OutboxMail

#: A name that would run in a mail reader if it were not escaped.
NASTY = '<script>alert("x")</script> & Fils'
START = datetime(2027, 3, 9, 8, 30, tzinfo=PARIS)


def _event(audience: Audience) -> SimpleNamespace:
    """A person's copy of a tour, as the calendar side builds it."""
    return SimpleNamespace(
        audience=audience,
        name=NASTY,
        title=f"Tour {NASTY}",
        summary=f"ZI Tours — {NASTY}",
        site_name=f"Site {NASTY}",
        start=START,
        location=f"Gare {NASTY}",
        schedule="8h30  Départ\n10h00  Aciéries du Gier\nCarnet de route : http://tourplanner.test/tours/7/carnet",
        url="http://tourplanner.test/tours/7",
        recurrence=None,
    )


def _tour() -> SimpleNamespace:
    return SimpleNamespace(id=7, title=f"Tour {NASTY}", start_at=START)


def _all_mails():
    """One rendering of every mail tourplanner sends, by name."""
    tour = _tour()
    stop = SimpleNamespace(arrival_at=START, start_at=START, end_at=START)
    site = SimpleNamespace(name=f"Site {NASTY}", organisation=SimpleNamespace(name=f"Org {NASTY}"))
    sessions = [SimpleNamespace(start_at=START), SimpleNamespace(start_at=datetime(2027, 3, 16, 8, 30, tzinfo=PARIS))]
    mails = {}
    for audience in Audience:
        mails[f"invitation {audience.value}"] = invitation_text(_event(audience), is_update=False)
        mails[f"update {audience.value}"] = invitation_text(_event(audience), is_update=True)
        mails[f"reminder {audience.value}"] = reminder_text(_event(audience))
        mails[f"follow-up {audience.value}"] = follow_up_text(_event(audience))
        for cause in Cause:
            mails[f"cancellation {audience.value} {cause.value}"] = cancellation_text(
                f"Tour {NASTY}", f"ZI Tours {NASTY}", audience, NASTY, START, cause, f"Motif {NASTY}", tour_url()
            )
    mails["sign-in"] = compose("sign_in", "Connexion", name=NASTY, minutes=20, link="http://tourplanner.test/c/x")
    for moment in ("before", "after"):
        mails[f"perception {moment}"] = compose(
            "perception",
            "Avis",
            name=NASTY,
            tour=tour,
            moment=moment,
            questionnaire_url="http://tourplanner.test/questionnaire/q",
            assessment_url="http://tourplanner.test/evaluation-visite/a" if moment == "after" else None,
        )
    mails["outcomes"] = compose(
        "outcomes", "Suivi", name=NASTY, tour=tour, months=3, outcomes_url="http://tourplanner.test/suivi/s"
    )
    for is_referent in (True, False):
        mails[f"passeport {is_referent}"] = compose(
            "passeport", "Passeport", name=NASTY, tour=tour, url="http://tourplanner.test/p/1", is_referent=is_referent
        )
    mails["absence alert"] = compose(
        "absence_alert",
        "Absences",
        name=NASTY,
        tour=tour,
        participant=SimpleNamespace(name=NASTY),
        streak=sessions,
        url=tour_url(),
    )
    mails["visit declined"] = compose(
        "visit_declined",
        "Visite déclinée",
        name=NASTY,
        actor=SimpleNamespace(name=NASTY),
        site=site,
        tour=tour,
        stop=stop,
        bus=SimpleNamespace(name=f"Car {NASTY}"),
        reason=f"Grève {NASTY}",
        itinerary_url="http://tourplanner.test/tours/7/itineraire",
    )
    return mails


def tour_url() -> str:
    return "http://tourplanner.test/tours/7"


def test_every_mail_has_a_text_and_an_escaped_html_part_with_the_same_facts(app) -> None:
    """Each mail's HTML shows its text part's words and links; the names are escaped there, raw in the text."""
    with app.test_request_context():
        mails = _all_mails()
    assert len(mails) == 4 * (4 + len(Cause)) + 8
    for label, mail in mails.items():
        assert f"Bonjour {NASTY}," in mail.text, label
        assert mail.text.endswith("\n") and not mail.text.endswith("\n\n"), label
        assert "<script>" not in mail.html and "&lt;script&gt;" in mail.html, label
        assert mail.html.startswith("<!DOCTYPE html>") and '<html lang="fr">' in mail.html, label
        assert f"<title>{escape(mail.subject)}</title>" in mail.html, label
        shown, hrefs = visible(mail.html)
        assert sorted(set(urls(mail.text))) == sorted(set(hrefs)), label
        if label.startswith("passeport"):  # its own HTML: links named for what they open
            assert shown.split("\n\n")[:2] == mail.text.split("\n\n")[:2], label
            assert "Voir le passeport en ligne" in shown, label
        else:
            assert shown == mail.text.rstrip("\n"), label


def test_the_templates_format_with_the_pages_filters(app) -> None:
    """Dates, times and plurals come from tourplanner.formatting: « mardi 9 mars 2027 à 8h30 », « 1 minute »."""
    with app.app_context():
        company = invitation_text(_event(Audience.COMPANY), is_update=False)
        assert "prévue le mardi 9 mars 2027, à 8h30, dans le cadre du tour" in company.text
        cancelled = cancellation_text("T", "S", Audience.BOOKER, None, START, Cause.BOOKING)
        assert cancelled.text.startswith("Bonjour,\n\nVotre inscription au tour « T » du mardi 9 mars 2027 à 8h30")
        assert "Motif" not in cancelled.text and "Détails" not in cancelled.text
        one = compose("sign_in", "Connexion", name="Léa", minutes=1, link="http://tourplanner.test/c/x")
        assert "(valable 1 minute, une seule fois)" in one.text
        many = compose("sign_in", "Connexion", name="Léa", minutes=20, link="http://tourplanner.test/c/x")
        assert "(valable 20 minutes, une seule fois)" in many.text
        alert = _all_mails()["absence alert"]
        assert "a manqué 2 séances d'affilée (mardi 09/03, mardi 16/03)" in alert.text


def test_the_mail_says_what_its_template_says(app, client, make_user, db, tmp_path) -> None:
    """A sign-in mail is rendered from mail/sign_in.txt: another template there changes the mail sent."""
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "sign_in.txt").write_text("Lien pour {{ name }} : {{ link }}\n", encoding="utf-8")
    app.jinja_env.loader = ChoiceLoader([FileSystemLoader(tmp_path), app.jinja_env.loader])
    user = make_user(Role.PRESCRIBER, name="Claire Martin")
    client.post("/connexion", data={"email": user.email})
    jobs.send_login_links()
    mail = db.session.scalars(select(OutboxMail)).one()
    assert mail.body_text.startswith("Lien pour Claire Martin : http://tourplanner.test/connexion/")
    assert mail.redacted_text == "Lien pour Claire Martin : [lien retiré après l'envoi]\n"


@pytest.mark.parametrize("audience", list(Audience))
def test_a_weekly_cohort_invitation_says_every_week(app, audience) -> None:
    """A recurring event's invitation names the first day and the following weeks, in subject and text."""
    event = _event(audience)
    event.recurrence = object()
    with app.app_context():
        mail = invitation_text(event, is_update=False)
    assert mail.subject.endswith("mardi 9 mars 2027 et les semaines suivantes")
    if audience is not Audience.COMPANY:
        assert "du mardi 9 mars 2027 et les semaines suivantes" in mail.text
