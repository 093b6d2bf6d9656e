"""The ambassadors' pages through the test client: « Mes tours », and assigning ambassadors to buses."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import future
from tests.pages.helpers import text_of
from tourplanner.accounts.enums import Role
from tourplanner.errors import PermissionDenied
from tourplanner.extensions import db
from tourplanner.mail.models import OutboxMail
from tourplanner.tours.ambassador_queries import ambassador_schedule
from tourplanner.tours.models import AmbassadorAssignment, Tour


def section(text: str, heading_id: str) -> str:
    """The HTML of the page's section introduced by the heading with this id."""
    return text.split(f'id="{heading_id}"')[1].split("</section>")[0]


def cards(html: str) -> list[str]:
    """The assignment cards of a section."""
    return re.findall(r'<li class="assignment card.*?</li>', html, re.S)


# --- « Mes tours »


def test_an_ambassador_sees_upcoming_and_past_tours_with_bus_meeting_and_companions(client, crew, sign_in):
    """Upcoming soonest first, past apart; bus, meeting point and time, the other ambassadors of the bus."""
    sign_in(crew.amina)
    page = client.get("/ambassadeur")
    assert page.status_code == 200
    text = text_of(page)
    upcoming = cards(section(text, "a-venir"))
    assert [re.search(r">([^<]+)</a>", card).group(1) for card in upcoming] == ["ZI Tour Vallée du Gier", "Tour annulé"]
    first = upcoming[0]
    assert "Car 1 · 20 places" in first
    assert "à 08:30, Gare de Rive-de-Gier" in first
    assert "Bruno Lefort" in first and "Chloé Martin" not in first  # Chloé rides the other bus
    assert f'href="/tours/{crew.tour.id}"' in first and f'href="/tours/{crew.tour.id}/feuille-de-route"' in first
    assert "Annulé" in upcoming[1] and "feuille-de-route" not in upcoming[1]
    past = cards(section(text, "passes"))
    assert len(past) == 1 and "ZI Tour de l'automne" in past[0]
    assert "Brouillon secret" not in text and "ZI Tour Meyzieu" not in text


def test_an_ambassador_sees_only_their_own_assignments(client, crew, sign_in):
    """Chloé sees her two tours, not Amina's; she rides bus 2 alone."""
    sign_in(crew.chloe)
    text = text_of(client.get("/ambassadeur"))
    upcoming = cards(section(text, "a-venir"))
    assert len(upcoming) == 2
    assert "ZI Tour Vallée du Gier" in upcoming[0] and "Car 2 · 30 places" in upcoming[0]
    assert "vous êtes le seul ambassadeur de ce car" in upcoming[0]
    assert "ZI Tour Meyzieu" in upcoming[1]
    assert "Tour annulé" not in text and "ZI Tour de l'automne" not in text
    assert "Aucun tour passé." in text


def test_an_ambassador_without_tours_is_told_so(client, make_user, sign_in):
    """No assignment: a French sentence in each part, no card."""
    sign_in(make_user(Role.AMBASSADOR))
    text = text_of(client.get("/ambassadeur"))
    assert "Aucun tour à venir pour l'instant" in text and "Aucun tour passé." in text and cards(text) == []


def test_the_road_book_linked_from_my_tours_opens_for_the_ambassador(client, crew, sign_in):
    """The « Feuille de route » link leads to a page the ambassador may open."""
    sign_in(crew.bruno)
    assert client.get(f"/tours/{crew.tour.id}/feuille-de-route").status_code == 200


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.PRESCRIBER, Role.COMPANY])
def test_my_tours_is_for_ambassadors_only(client, make_user, sign_in, role):
    """Other roles get a French 403 page on /ambassadeur."""
    sign_in(make_user(role))
    page = client.get("/ambassadeur")
    assert page.status_code == 403 and "réservée aux ambassadeurs" in text_of(page)


def test_signed_out_visitors_are_sent_to_sign_in(client, crew):
    """Without a session both pages redirect to /connexion."""
    for path in ("/ambassadeur", f"/tours/{crew.tour.id}/ambassadeurs"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")


# --- /tours/<id>/ambassadeurs (organisers)


def assignments_of(tour: Tour) -> list[tuple[str, int]]:
    """(ambassador's name, bus index) of the tour's assignments, fresh from the database."""
    db.session.expire_all()
    rows = db.session.scalars(select(AmbassadorAssignment).where(AmbassadorAssignment.tour_id == tour.id))
    return sorted((a.user.name, a.bus.position) for a in rows)


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR])
def test_only_organisers_manage_ambassadors(client, crew, make_user, sign_in, role):
    """Prescribers, companies and ambassadors get 403 on the page, the assignment and the removal."""
    sign_in(crew.amina if role is Role.AMBASSADOR else make_user(role))
    before = assignments_of(crew.tour)
    assert client.get(f"/tours/{crew.tour.id}/ambassadeurs").status_code == 403
    assert (
        client.post(f"/tours/{crew.tour.id}/ambassadeurs", data={"ambassador": crew.chloe.id, "bus": 0}).status_code
        == 403
    )
    assignment = db.session.scalar(select(AmbassadorAssignment).where(AmbassadorAssignment.user_id == crew.bruno.id))
    assert client.post(f"/tours/{crew.tour.id}/ambassadeurs/{assignment.id}/retirer").status_code == 403
    assert assignments_of(crew.tour) == before


def test_the_page_lists_ambassadors_bus_by_bus(client, crew, make_user, sign_in):
    """Each bus with its ambassadors (or « Aucun ambassadeur »); the form offers every ambassador and bus."""
    make_user(Role.AMBASSADOR, name="David Roux", email="david@example.fr")
    sign_in(crew.organiser)
    page = client.get(f"/tours/{crew.tour.id}/ambassadeurs")
    assert page.status_code == 200
    text = text_of(page)
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(Car \d)</th>\s*<td[^>]*>([^<]+)<", text)
    assert [(bus, name.strip()) for bus, name in rows] == [
        ("Car 1", "Amina Haddad"),
        ("Car 1", "Bruno Lefort"),
        ("Car 2", "Chloé Martin"),
    ]
    form = text.split('id="affecter"')[1]
    assert "David Roux (david@example.fr)" in form and "Car 2 · 30 places" in form


def test_assign_then_move_then_remove(client, crew, make_user, sign_in):
    """Assigning invites the ambassador; choosing another bus moves them; « Retirer » takes them off."""
    david = make_user(Role.AMBASSADOR, name="David Roux", email="david@example.fr")
    sign_in(crew.organiser)
    path = f"/tours/{crew.tour.id}/ambassadeurs"
    response = client.post(path, data={"ambassador": david.id, "bus": 1})
    assert response.status_code == 302 and response.headers["Location"] == path
    assert ("David Roux", 1) in assignments_of(crew.tour)
    assert "David Roux accompagnera le Car 2 ; une invitation lui est envoyée." in text_of(client.get(path))
    assert db.session.scalar(select(OutboxMail).where(OutboxMail.recipient == "david@example.fr")) is not None
    client.post(path, data={"ambassador": david.id, "bus": 0})
    assert ("David Roux", 0) in assignments_of(crew.tour) and ("David Roux", 1) not in assignments_of(crew.tour)
    assert "David Roux passe dans le Car 1" in text_of(client.get(path))
    assignment = db.session.scalar(select(AmbassadorAssignment).where(AmbassadorAssignment.user_id == david.id))
    response = client.post(f"{path}/{assignment.id}/retirer")
    assert response.status_code == 302
    assert "David Roux" not in [name for name, _ in assignments_of(crew.tour)]
    assert "David Roux ne fait plus partie de ce tour" in text_of(client.get(path))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"ambassador": 0, "bus": 0}, "ambassador", "Choisissez un ambassadeur."),
        ({"ambassador": 424242, "bus": 0}, "ambassador", "N'est pas un choix valide."),
        ({"ambassador": "amina", "bus": 0}, "ambassador", "Choix non valide"),
        ({"bus": 7}, "bus", "N'est pas un choix valide."),
    ],
)
def test_bad_assignment_form_is_422_in_french(client, crew, sign_in, data, field, message):
    """No ambassador chosen, an unknown one or a bus the tour lacks: 422 with the message beside the field."""
    data = {"ambassador": crew.chloe.id} | data
    sign_in(crew.organiser)
    before = assignments_of(crew.tour)
    response = client.post(f"/tours/{crew.tour.id}/ambassadeurs", data=data)
    assert response.status_code == 422
    error = text_of(response).split(f'id="{field}-error">')[1].split("</p>")[0]
    assert message in error
    assert assignments_of(crew.tour) == before


def test_an_ambassador_busy_elsewhere_is_refused_in_french(client, crew, make_tour, sign_in):
    """Assigning Chloé to a tour at the same hours as one she rides: a French message, nothing assigned."""
    clash = make_tour(
        published=True,
        organiser=crew.organiser,
        title="Tour du même jour",
        start=future(35, 10),
        end=future(35, 15),
        booking_deadline=future(33, 18),
    )
    sign_in(crew.organiser)
    path = f"/tours/{clash.id}/ambassadeurs"
    response = client.post(path, data={"ambassador": crew.chloe.id, "bus": 0})
    assert response.status_code == 302
    assert "Chloé Martin accompagne déjà « ZI Tour Meyzieu »" in text_of(client.get(path))
    assert assignments_of(clash) == []


def test_a_cancelled_tour_takes_no_more_changes(client, crew, sign_in):
    """On a cancelled tour the form is gone, and assigning or removing is refused."""
    sign_in(crew.organiser)
    path = f"/tours/{crew.cancelled.id}/ambassadeurs"
    text = text_of(client.get(path))
    assert "Ce tour est annulé : on n'y affecte plus d'ambassadeur." in text and "Retirer" not in text
    client.post(path, data={"ambassador": crew.bruno.id, "bus": 0})
    assignment = db.session.scalar(
        select(AmbassadorAssignment).where(AmbassadorAssignment.tour_id == crew.cancelled.id)
    )
    response = client.post(f"{path}/{assignment.id}/retirer")
    assert response.status_code == 302
    assert "Action impossible : ce tour est annulé : on n'en retire plus d'ambassadeur." in text_of(client.get(path))
    assert assignments_of(crew.cancelled) == [("Amina Haddad", 0)]


def test_unknown_tour_or_assignment_is_404(client, crew, sign_in):
    """An unknown tour, or an assignment of another tour, answers a French 404."""
    sign_in(crew.organiser)
    assert client.get("/tours/999999/ambassadeurs").status_code == 404
    foreign = db.session.scalar(select(AmbassadorAssignment).where(AmbassadorAssignment.tour_id == crew.other.id))
    response = client.post(f"/tours/{crew.tour.id}/ambassadeurs/{foreign.id}/retirer")
    assert response.status_code == 404 and "Aucune affectation" in text_of(response)
    assert assignments_of(crew.other) == [("Chloé Martin", 0)]


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.PRESCRIBER, Role.COMPANY])
def test_the_schedule_query_refuses_anyone_but_an_ambassador(make_user, role):
    """Called without the page, ambassador_schedule refuses other roles (PermissionDenied)."""
    with pytest.raises(PermissionDenied):
        ambassador_schedule(make_user(role))
