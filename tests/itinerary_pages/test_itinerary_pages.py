"""The itinerary page and the road book through the test client: who may see them, optimise, lock."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from tests.conftest import future
from tourplanner.accounts.enums import Role
from tourplanner.extensions import db
from tourplanner.sites.enums import SlotStatus
from tourplanner.tours.assignments import assign_ambassador
from tourplanner.tours.models import Stop
from tourplanner.tours.operations import publish_tour


def text_of(response) -> str:
    """The page's HTML, entities decoded."""
    return html.unescape(response.get_data(as_text=True))


def stops_of(tour) -> list[Stop]:
    """The tour's stored stops, fresh from the database."""
    db.session.expire_all()
    return list(db.session.scalars(select(Stop).where(Stop.tour_id == tour.id).order_by(Stop.bus_id, Stop.position)))


def optimise(client, planned, slots=None):
    """Tick `slots` (all the tour's slots by default) and press « Optimiser »."""
    ids = [s.id for s in (planned.slots if slots is None else slots)]
    return client.post(f"/tours/{planned.tour.id}/itineraire", data={"slot_ids": ids})


@pytest.mark.parametrize("path", ["itineraire", "feuille-de-route"])
def test_signed_out_visitors_are_sent_to_sign_in(client, planned_tour, path):
    """Without a session, both pages redirect to /connexion and show nothing."""
    response = client.get(f"/tours/{planned_tour.tour.id}/{path}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR])
def test_only_organisers_get_the_itinerary_page(client, planned_tour, make_user, sign_in, role):
    """Prescribers, companies and ambassadors get a French 403 page, and their POST changes nothing."""
    tour = planned_tour.tour
    publish_tour(tour, planned_tour.organiser)
    db.session.commit()
    sign_in(make_user(role))
    page = client.get(f"/tours/{tour.id}/itineraire")
    assert page.status_code == 403
    assert "Action non autorisée" in text_of(page) and "réservée aux organisateurs" in text_of(page)
    posted = optimise(client, planned_tour)
    assert posted.status_code == 403
    assert stops_of(tour) == [] and not tour.candidates


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR])
def test_the_road_book_is_refused_to_people_outside_the_tour(client, planned_tour, make_user, sign_in, role):
    """A company, a prescriber without a booking or an ambassador of another tour gets a French 403."""
    publish_tour(planned_tour.tour, planned_tour.organiser)
    db.session.commit()
    sign_in(make_user(role))
    response = client.get(f"/tours/{planned_tour.tour.id}/feuille-de-route")
    assert response.status_code == 403
    assert "feuille de route est réservée" in text_of(response)


def test_the_page_offers_the_day_s_slots_with_their_details(client, planned_tour, make_slot, sign_in):
    """Each offered slot of the tour's day is a checkbox with company, site, window, length, group and access."""
    other_day = make_slot(site=planned_tour.slots[0].site, start_at=future(31, 9), end_at=future(31, 12))
    declined = make_slot(site=planned_tour.slots[1].site, status=SlotStatus.DECLINED)
    sign_in(planned_tour.organiser)
    page = text_of(client.get(f"/tours/{planned_tour.tour.id}/itineraire"))
    boxes = re.findall(r'<input type="checkbox" name="slot_ids" value="(\d+)"[^>]*>', page)
    assert sorted(int(b) for b in boxes) == sorted(s.id for s in planned_tour.slots)
    assert str(other_day.id) not in boxes and str(declined.id) not in boxes
    assert "Plastiques du Rhône" in page and "Atelier d'injection" in page
    assert "09:00–12:00" in page and "14:00–16:30" in page and "1 h 30" in page and "25 pers." in page
    assert "Accessible PMR" in page and "Non accessible PMR" in page


def test_optimise_through_the_form_stores_the_stops(client, planned_tour, sign_in):
    """Ticking the slots and pressing « Optimiser » stores candidates and stops on both buses."""
    sign_in(planned_tour.organiser)
    response = optimise(client, planned_tour)
    assert response.status_code == 302 and response.headers["Location"] == f"/tours/{planned_tour.tour.id}/itineraire"
    stops = stops_of(planned_tour.tour)
    assert {c.slot_id for c in planned_tour.tour.candidates} == {s.id for s in planned_tour.slots}
    assert len(stops) == len(planned_tour.slots)
    assert len({stop.bus_id for stop in stops}) == 2
    page = text_of(client.get(response.headers["Location"]))
    assert "Itinéraire calculé : 6 visites placées." in page
    for slot in planned_tour.slots:
        assert re.search(rf'value="{slot.id}"[^>]*checked', page), "a candidate stays ticked"
    assert page.count('class="stop-times"') == 6
    assert 'class="seg seg-lunch' in page and 'class="seg seg-visit' in page and 'class="seg seg-drive' in page


def test_unticking_a_slot_drops_its_stop(client, planned_tour, sign_in):
    """Optimising again with one slot fewer removes it from candidates and stops."""
    sign_in(planned_tour.organiser)
    optimise(client, planned_tour)
    optimise(client, planned_tour, planned_tour.slots[1:])
    assert {stop.slot_id for stop in stops_of(planned_tour.tour)} == {s.id for s in planned_tour.slots[1:]}


def test_a_left_out_visit_is_listed_with_its_reason(client, planned_tour, make_slot, sign_in):
    """A slot too small for a bus's group appears under « Visites laissées de côté » with a French reason."""
    small = make_slot(site=planned_tour.slots[0].site, start_at=future(30, 14), end_at=future(30, 16), max_visitors=8)
    sign_in(planned_tour.organiser)
    optimise(client, planned_tour, [small])
    page = text_of(client.get(f"/tours/{planned_tour.tour.id}/itineraire"))
    left_out = page.split('id="laissees"')[1]
    assert "Atelier d'injection" in left_out and "8" in left_out and "20" in left_out
    assert "Itinéraire calculé : 0 visite placée, 1 laissée de côté" in page
    assert stops_of(planned_tour.tour) == []


def test_a_slot_no_longer_offered_is_refused_in_french(client, planned_tour, sign_in):
    """Posting a slot the page did not offer answers 422 with a French message and stores nothing."""
    planned_tour.slots[0].status = SlotStatus.WITHDRAWN
    db.session.commit()
    sign_in(planned_tour.organiser)
    response = optimise(client, planned_tour)
    assert response.status_code == 422
    assert "n'est pas un choix valide" in text_of(response)
    assert stops_of(planned_tour.tour) == [] and not planned_tour.tour.candidates


def test_lock_and_unlock_a_stop(client, planned_tour, sign_in):
    """« Verrouiller » marks the stop locked (kept by the next optimisation); « Déverrouiller » undoes it."""
    sign_in(planned_tour.organiser)
    optimise(client, planned_tour)
    target = stops_of(planned_tour.tour)[0]
    url = f"/tours/{planned_tour.tour.id}/itineraire/verrou"
    response = client.post(url, data={"slot_id": target.slot_id, "locked": "1"})
    assert response.status_code == 302
    assert [s.is_locked for s in stops_of(planned_tour.tour) if s.slot_id == target.slot_id] == [True]
    page = text_of(client.get(f"/tours/{planned_tour.tour.id}/itineraire"))
    assert "verrouillée : une nouvelle optimisation la garde" in page and "Déverrouiller" in page
    optimise(client, planned_tour)
    assert [s.is_locked for s in stops_of(planned_tour.tour) if s.slot_id == target.slot_id] == [True]
    client.post(url, data={"slot_id": target.slot_id, "locked": "0"})
    assert not any(s.is_locked for s in stops_of(planned_tour.tour))


def test_lock_a_stop_in_place_from_the_page(client, planned_tour, sign_in):
    """« Verrouiller à cette heure » keeps the stop on its bus at its start time after optimising again."""
    sign_in(planned_tour.organiser)
    optimise(client, planned_tour)
    target = stops_of(planned_tour.tour)[0]
    start, bus_id = target.start_at, target.bus_id
    client.post(f"/tours/{planned_tour.tour.id}/itineraire/verrou", data={"slot_id": target.slot_id, "locked": "place"})
    assert "Verrouillée à cette heure" in text_of(client.get(f"/tours/{planned_tour.tour.id}/itineraire"))
    optimise(client, planned_tour)
    [kept] = [s for s in stops_of(planned_tour.tour) if s.slot_id == target.slot_id]
    assert kept.is_time_locked and kept.start_at == start and kept.bus_id == bus_id


def test_locking_a_visit_outside_the_itinerary_says_why(client, planned_tour, sign_in):
    """Locking a slot that is not a stop flashes a French reason, never a 500."""
    sign_in(planned_tour.organiser)
    response = client.post(
        f"/tours/{planned_tour.tour.id}/itineraire/verrou",
        data={"slot_id": planned_tour.slots[0].id, "locked": "1"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Action impossible : le créneau n°" in text_of(response)
    bad = client.post(
        f"/tours/{planned_tour.tour.id}/itineraire/verrou", data={"slot_id": "x", "locked": "2"}, follow_redirects=True
    )
    assert bad.status_code == 200 and "le formulaire est incomplet" in text_of(bad)


def test_the_road_book_gives_what_the_driver_needs(client, planned_tour, make_user, sign_in):
    """The tour's ambassador sees, per bus, times, addresses, equipment, parking, lunch and return."""
    tour = planned_tour.tour
    ambassador = make_user(Role.AMBASSADOR, name="Karim Haddad")
    publish_tour(tour, planned_tour.organiser)
    assign_ambassador(tour, ambassador.email, 1, planned_tour.organiser)
    db.session.commit()
    sign_in(planned_tour.organiser)
    optimise(client, planned_tour)
    client.post("/deconnexion")
    sign_in(ambassador)
    response = client.get(f"/tours/{tour.id}/feuille-de-route")
    page = text_of(response)
    assert response.status_code == 200
    assert "Imprimer" in page and "data-print" in page
    for stop in stops_of(tour):
        assert stop.slot.site.address in page
    assert "Chaussures de sécurité, lunettes" in page and "Sonner à l'interphone" in page
    assert "déposer le groupe" in page  # a site without bus parking
    assert page.count("Déjeuner</dt>") == 2 and page.count("Retour</dt>") == 2
    assert "Karim Haddad" in page and "votre car" in page


def test_the_road_book_shows_local_stop_times(client, planned_tour, sign_in):
    """Each stop's arrival, start, end and departure appear in Paris time."""
    from tourplanner.timeutil import to_local

    sign_in(planned_tour.organiser)
    optimise(client, planned_tour)
    page = text_of(client.get(f"/tours/{planned_tour.tour.id}/feuille-de-route"))
    for stop in stops_of(planned_tour.tour):
        cells = "".join(
            f"<td>{to_local(t):%H:%M}</td>" for t in (stop.arrival_at, stop.start_at, stop.end_at, stop.departure_at)
        )
        assert cells in re.sub(r"\s+", "", page), cells


def test_before_any_optimisation_both_pages_say_so(client, planned_tour, sign_in):
    """Without an itinerary, the page invites to optimise and the road book says it is not ready."""
    sign_in(planned_tour.organiser)
    page = text_of(client.get(f"/tours/{planned_tour.tour.id}/itineraire"))
    assert "pas encore optimisé" in page and "cliquez sur « Optimiser »" in page
    assert 'class="timeline"' not in page
    road_book = text_of(client.get(f"/tours/{planned_tour.tour.id}/feuille-de-route"))
    assert "L'itinéraire n'a pas encore été calculé" in road_book and 'class="road-stop"' not in road_book
