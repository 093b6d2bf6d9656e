"""The catalogue of tours open to bookings: seats said plainly, companies visited, filters."""

from __future__ import annotations

import pytest

from routes.filters import localtime
from tests.conftest import future
from tests.pages.helpers import text_of
from tests.prescriber_pages.conftest import add_candidate, add_stop, book, close_bookings
from tourplanner.accounts.enums import Role
from tourplanner.extensions import db
from tourplanner.sites.enums import VisitResponse
from tourplanner.tours.enums import TourKind
from tourplanner.tours.operations import cancel_tour


def test_signed_out_visitor_is_sent_to_sign_in(client):
    """Every prescriber page asks a signed-out visitor to sign in first."""
    for path in ("/inscriptions/tours", "/tours/1/inscrire", "/mes-inscriptions", "/mon-agenda"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/connexion"), path


def test_open_tours_say_seats_left_plainly(client, prescriber, make_user, make_tour):
    """An open tour shows "12 places libres sur 40", its deadline, kind and meeting point."""
    tour = make_tour(
        published=True, title="ZI Tour Meyzieu", bus_seats=[20, 20], meeting_point_name="Gare de Meyzieu ZI"
    )
    other = make_user(Role.PRESCRIBER)
    book(tour, other, 20)
    book(tour, other, 8)
    page = text_of(client.get("/inscriptions/tours"))
    assert "12 places libres sur 40" in page
    assert "Gare de Meyzieu ZI" in page
    assert "ZI Tour en car" in page
    assert "jusqu'au " + localtime(tour.booking_deadline_at, "%A %-d %B à %H:%M") in page
    assert f"/tours/{tour.id}/inscrire" in page


def test_full_tour_offers_the_waiting_list(client, prescriber, make_user, make_tour):
    """A tour with no seat left says "Complet : inscription en liste d'attente"."""
    tour = make_tour(published=True, title="ZI Tour complet", bus_seats=[3])
    book(tour, make_user(Role.PRESCRIBER), 3)
    page = text_of(client.get("/inscriptions/tours"))
    assert "Complet : inscription en liste d'attente" in page
    assert "S'inscrire en liste d'attente" in page


def test_only_tours_taking_bookings_are_listed(client, prescriber, make_tour):
    """Drafts, cancelled tours and tours past their booking deadline are left out."""
    make_tour(published=True, title="Tour ouvert")
    make_tour(published=False, title="Tour brouillon")
    closed = make_tour(published=True, title="Tour clos")
    close_bookings(closed)
    cancelled = make_tour(published=True, title="Tour annulé")
    cancel_tour(cancelled, None)
    db.session.commit()
    page = text_of(client.get("/inscriptions/tours"))
    assert "Tour ouvert" in page
    assert "Tour brouillon" not in page and "Tour clos" not in page and "Tour annulé" not in page


def test_companies_of_the_itinerary_are_shown(client, prescriber, make_tour, make_company_site, make_slot):
    """Once an itinerary exists, the companies visited are listed in visiting order."""
    tour = make_tour(published=True, title="ZI Tour Jonage")
    later = make_slot(site=make_company_site("Logistique Est Lyonnais", name="Entrepôt de Jonage"))
    sooner = make_slot(site=make_company_site("Plastiques du Rhône", name="Atelier d'injection"))
    add_stop(tour, tour.buses[0], later, future(30, 14))
    add_stop(tour, tour.buses[0], sooner, future(30, 10))
    page = text_of(client.get("/inscriptions/tours"))
    assert "Entreprises visitées" in page
    assert page.index("Plastiques du Rhône") < page.index("Logistique Est Lyonnais")
    assert "Atelier d'injection" in page


def test_filter_by_territory(client, prescriber, make_tour, make_zone, make_company_site, make_slot):
    """The territory filter keeps the tours whose candidate visits are in that territory's zones."""
    est = make_zone("ZI Meyzieu", "Lyon Est")
    gier = make_zone("ZI Rive-de-Gier", "Vallée du Gier", city="Rive-de-Gier")
    lyon = make_tour(published=True, title="Tour à Meyzieu")
    gier_tour = make_tour(published=True, title="Tour dans le Gier")
    add_candidate(lyon, make_slot(site=make_company_site("Usine Est", zone=est)))
    add_candidate(gier_tour, make_slot(site=make_company_site("Forge du Gier", zone=gier)))
    page = text_of(client.get("/inscriptions/tours?territoire=Vallée du Gier"))
    assert "Tour dans le Gier" in page and "Tour à Meyzieu" not in page
    assert '<option selected value="Vallée du Gier">' in page or 'value="Vallée du Gier" selected' in page


def test_territory_is_the_itinerary_s_not_the_candidates_left_aside(
    client, prescriber, make_tour, make_zone, make_company_site, make_slot
):
    """Once optimised, a tour's territory is that of its stops: a candidate left aside in another territory,
    or a visit its company declined, does not list it there."""
    est = make_zone("ZI Meyzieu", "Lyon Est")
    gier = make_zone("ZI Rive-de-Gier", "Vallée du Gier", city="Rive-de-Gier")
    tour = make_tour(published=True, title="Tour à Meyzieu")
    add_stop(tour, tour.buses[0], make_slot(site=make_company_site("Usine Est", zone=est)), future(30, 10))
    add_candidate(tour, make_slot(site=make_company_site("Forge du Gier", zone=gier)))
    assert "Tour à Meyzieu" not in text_of(client.get("/inscriptions/tours?territoire=Vallée du Gier"))
    assert "Tour à Meyzieu" in text_of(client.get("/inscriptions/tours?territoire=Lyon Est"))
    declined = add_stop(
        tour, tour.buses[0], make_slot(site=make_company_site("Fonderie du Gier", zone=gier)), future(30, 14)
    )
    assert "Tour à Meyzieu" in text_of(client.get("/inscriptions/tours?territoire=Vallée du Gier"))
    declined.company_response = VisitResponse.DECLINED
    db.session.commit()
    assert "Tour à Meyzieu" not in text_of(client.get("/inscriptions/tours?territoire=Vallée du Gier"))


def test_filter_by_dates_and_kind(client, prescriber, make_tour):
    """The date range (local days, both included) and the kind of tour narrow the list."""
    make_tour(published=True, title="Tour J+30", start=future(30, 8, 30), end=future(30, 17))
    make_tour(
        published=True, title="Tour J+40", start=future(40, 8, 30), end=future(40, 17), booking_deadline=future(35, 18)
    )
    make_tour(
        published=True,
        title="Visite J+40",
        kind=TourKind.COMPANY_VISIT,
        start=future(40, 9),
        end=future(40, 12),
        booking_deadline=future(35, 18),
    )
    day = future(40).date().isoformat()
    page = text_of(client.get(f"/inscriptions/tours?du={day}&au={day}"))
    assert "Tour J+40" in page and "Visite J+40" in page and "Tour J+30" not in page
    page = text_of(client.get(f"/inscriptions/tours?du={day}&type=company_visit"))
    assert "Visite J+40" in page and "Tour J+40" not in page


def test_filter_by_trade_ignores_case_and_accents(client, prescriber, make_tour, make_company_site, make_slot):
    """The trade filter finds words in the sites' sector or trades, whatever the case and accents."""
    metal = make_tour(published=True, title="Tour métallurgie")
    logistics = make_tour(published=True, title="Tour logistique")
    add_candidate(
        metal, make_slot(site=make_company_site("Forge", sector="Métallurgie", trades="Soudeur\nChaudronnier"))
    )
    add_candidate(logistics, make_slot(site=make_company_site("Entrepôt", sector="Logistique", trades="Cariste")))
    page = text_of(client.get("/inscriptions/tours?metier=METALLURGIE"))
    assert "Tour métallurgie" in page and "Tour logistique" not in page
    page = text_of(client.get("/inscriptions/tours?metier=cariste"))
    assert "Tour logistique" in page and "Tour métallurgie" not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("du=2030-05-10&au=2030-05-01", "La date de fin doit être après la date de début."),
        ("territoire=Atlantide", "Territoire"),
        ("du=demain", "N'est pas une date valide."),
    ],
)
def test_bad_filters_are_explained_in_french(client, prescriber, make_tour, query, message):
    """Inconsistent or unknown filters give a French message (422), never a 500."""
    make_tour(published=True, title="Tour ouvert")
    response = client.get(f"/inscriptions/tours?{query}")
    assert response.status_code == 422
    page = text_of(response)
    assert "Les filtres contiennent des erreurs" in page and message in page
    assert "Tour ouvert" in page


def test_non_prescribers_see_the_catalogue_without_booking_buttons(client, make_user, sign_in, make_tour):
    """Other roles may read the catalogue, but are offered no "S'inscrire" button."""
    make_tour(published=True, title="Tour ouvert")
    sign_in(make_user(Role.COMPANY))
    page = text_of(client.get("/inscriptions/tours"))
    assert "Tour ouvert" in page and "S'inscrire" not in page
