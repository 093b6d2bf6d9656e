"""The /entreprise pages: sites, one-off and recurring slots, visits — and who may see them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.company.conftest import KNOWN_ADDRESS, KNOWN_POINT, next_weekday
from tests.pages.helpers import text_of
from tourplanner.accounts.enums import Role
from tourplanner.accounts.operations import create_login_link
from tourplanner.extensions import db
from tourplanner.mail.models import OutboxMail
from tourplanner.sites.enums import SlotStatus, VisitResponse
from tourplanner.sites.models import Site, Slot, SlotSeries
from tourplanner.tours.models import Tour


@pytest.fixture
def sign_in(client):
    """sign_in(user): the test client signed in through a one-time link."""

    def do(user) -> None:
        token = create_login_link(user, timedelta(minutes=10))
        db.session.commit()
        assert client.post(f"/connexion/{token}").status_code == 302

    return do


def series_form(**overrides) -> dict:
    """A valid recurring-availability form: Tuesdays 9:00–12:00 for ten weeks."""
    first = next_weekday(1)
    data = {
        "weekdays": ["TU"],
        "interval": "1",
        "rrule": "",
        "start_time": "09:00",
        "end_time": "12:00",
        "starts_on": first.isoformat(),
        "ends_on": (first + timedelta(weeks=9)).isoformat(),
        "visit_minutes": "90",
        "max_visitors": "20",
    }
    data.update(overrides)
    return data


def test_company_home_lists_sites_and_visits_to_answer(client, sign_in, contact_a, site_a, make_visit) -> None:
    """The home of the company space shows its site and the visit waiting for an answer."""
    make_visit(site_a)
    sign_in(contact_a)
    response = client.get("/entreprise")
    assert response.status_code == 200
    page = text_of(response)
    assert "Atelier A" in page and "Visites à confirmer" in page and "Confirmer la visite" in page


def test_other_roles_get_a_french_403(client, sign_in, make_user) -> None:
    """A prescriber opening /entreprise gets the French refusal page."""
    sign_in(make_user(Role.PRESCRIBER))
    response = client.get("/entreprise")
    assert response.status_code == 403
    assert "réservée aux contacts entreprise" in text_of(response)


def test_signed_out_visitors_are_sent_to_sign_in(client) -> None:
    """No session: redirected to the sign-in page."""
    response = client.get("/entreprise")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_create_a_site_geocodes_its_address(client, sign_in, contact_a, geocoder) -> None:
    """The new-site form stores the site at its geocoded place with every field, then shows it."""
    sign_in(contact_a)
    response = client.post(
        "/entreprise/sites/nouveau",
        data={
            "name": "Forge de Meyzieu",
            "address": KNOWN_ADDRESS,
            "has_bus_parking": "y",
            "trades": "H2903 Conduite d'équipement d'usinage\nSoudeur",
            "photo_policy": "Interdites",
            "pay_range": "2 000 €",
            "in_house_training": "Tutorat",
            "open_positions": "2 régleurs",
            "contact_name": "Joëlle Ferrand",
            "contact_phone": "06 12 34 56 78",
        },
    )
    assert response.status_code == 302, text_of(response)
    site = db.session.scalar(select(Site).where(Site.name == "Forge de Meyzieu"))
    assert (site.lat, site.lon) == KNOWN_POINT and site.organisation_id == contact_a.organisation_id
    assert (site.contact_name, site.contact_phone) == ("Joëlle Ferrand", "06 12 34 56 78")
    assert (site.photo_policy, site.pay_range, site.is_accessible) == ("Interdites", "2 000 €", False)
    page = text_of(client.get(response.headers["Location"]))
    assert "H2903" in page and "Conduite d'équipement d'usinage" in page and "2 régleurs" in page
    assert "Joëlle Ferrand" in page and "06 12 34 56 78" in page


def test_site_form_offers_a_map_picker(client, sign_in, contact_a) -> None:
    """The site form lets the contact tap the map; latitude and longitude stay optional."""
    sign_in(contact_a)
    html = text_of(client.get("/entreprise/sites/nouveau"))
    assert 'class="place-picker"' in html and 'data-lat-field="lat"' in html and 'data-lon-field="lon"' in html


def test_an_address_that_cannot_be_placed_asks_for_coordinates(client, sign_in, contact_a, geocoder) -> None:
    """422 with a French message beside the address; nothing stored; typed coordinates then work."""
    sign_in(contact_a)
    data = {"name": "Forge", "address": "Lieu-dit inconnu"}
    response = client.post("/entreprise/sites/nouveau", data=data)
    assert response.status_code == 422
    assert "Adresse introuvable" in text_of(response) or "adresse introuvable" in text_of(response)
    assert db.session.scalar(select(func.count(Site.id))) == 0
    response = client.post("/entreprise/sites/nouveau", data={**data, "lat": "45.5", "lon": "4.6"})
    assert response.status_code == 302


def test_edit_a_site(client, sign_in, contact_a, site_a) -> None:
    """The edit form shows the site's values and saves the changes."""
    sign_in(contact_a)
    form = text_of(client.get(f"/entreprise/sites/{site_a.id}/modifier"))
    assert 'value="Atelier A"' in form
    response = client.post(
        f"/entreprise/sites/{site_a.id}/modifier",
        data={
            "name": "Atelier A+",
            "address": site_a.address,
            "lat": str(site_a.lat),
            "lon": str(site_a.lon),
            "is_accessible": "y",
            "open_positions": "Un soudeur",
        },
    )
    assert response.status_code == 302, text_of(response)
    db.session.expire_all()
    assert (site_a.name, site_a.is_accessible, site_a.open_positions) == ("Atelier A+", True, "Un soudeur")
    assert site_a.has_bus_parking is False  # unticked box


def test_another_companys_site_pages_are_404(client, sign_in, contact_a, site_b) -> None:
    """Company A gets 404 on B's site page, edit form, slot and series forms."""
    sign_in(contact_a)
    for path in (
        f"/entreprise/sites/{site_b.id}",
        f"/entreprise/sites/{site_b.id}/modifier",
        f"/entreprise/sites/{site_b.id}/creneaux/nouveau",
        f"/entreprise/sites/{site_b.id}/series/nouvelle",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/entreprise/sites/{site_b.id}/modifier", data={"name": "X", "address": "Y"}).status_code == 404


def test_offer_a_one_off_slot_and_pause_it(client, sign_in, contact_a, site_a) -> None:
    """The slot form offers a slot in Paris time; the site page pauses it."""
    sign_in(contact_a)
    day = next_weekday(3)
    response = client.post(
        f"/entreprise/sites/{site_a.id}/creneaux/nouveau",
        data={"start": f"{day}T14:00", "end": f"{day}T17:00", "visit_minutes": "60", "max_visitors": "15"},
    )
    assert response.status_code == 302, text_of(response)
    slot = db.session.scalar(select(Slot))
    assert slot.status is SlotStatus.OFFERED
    assert client.post(f"/entreprise/creneaux/{slot.id}/pause").status_code == 302
    db.session.expire_all()
    assert slot.status is SlotStatus.PAUSED


def test_a_visit_longer_than_its_slot_is_refused_in_french(client, sign_in, contact_a, site_a) -> None:
    """422 naming the visit length field."""
    sign_in(contact_a)
    day = next_weekday(3)
    response = client.post(
        f"/entreprise/sites/{site_a.id}/creneaux/nouveau",
        data={"start": f"{day}T14:00", "end": f"{day}T15:00", "visit_minutes": "90", "max_visitors": "15"},
    )
    assert response.status_code == 422
    assert "plus longue que le créneau" in text_of(response)


def test_offer_a_recurring_availability_from_ticked_days(client, sign_in, contact_a, site_a) -> None:
    """Ticking Tuesday builds FREQ=WEEKLY;BYDAY=TU; ten slots follow; the series page lists the days."""
    sign_in(contact_a)
    response = client.post(f"/entreprise/sites/{site_a.id}/series/nouvelle", data=series_form())
    assert response.status_code == 302, text_of(response)
    series = db.session.scalar(select(SlotSeries))
    assert series.rrule == "FREQ=WEEKLY;BYDAY=TU"
    assert db.session.scalar(select(func.count(Slot.id))) == 10
    page = text_of(client.get(response.headers["Location"]))
    assert "Chaque mardi" in page and "10 créneaux proposés" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"weekdays": [], "rrule": ""}, "obligatoire"),
        ({"rrule": "FREQ=PARFOIS"}, "FREQ doit valoir"),
        ({"end_time": "08:00"}, "après l'heure de début"),
        ({"max_visitors": "0"}, "au moins 1"),
        ({"starts_on": "2020-01-07"}, "dans le passé"),
    ],
)
def test_faulty_series_forms_say_what_is_wrong(client, sign_in, contact_a, site_a, overrides, message) -> None:
    """422 with the French message; nothing stored."""
    sign_in(contact_a)
    response = client.post(f"/entreprise/sites/{site_a.id}/series/nouvelle", data=series_form(**overrides))
    assert response.status_code == 422
    assert message in text_of(response)
    assert db.session.scalar(select(func.count(SlotSeries.id))) == 0


def test_series_page_exception_pause_and_resume(client, sign_in, contact_a, site_a) -> None:
    """Excluding a day withdraws its slot, offering it again restores it; pause and resume switch the slots."""
    sign_in(contact_a)
    client.post(f"/entreprise/sites/{site_a.id}/series/nouvelle", data=series_form())
    series = db.session.scalar(select(SlotSeries))
    day = series.starts_on + timedelta(weeks=1)
    assert client.post(f"/entreprise/series/{series.id}/exceptions", data={"date": day.isoformat()}).status_code == 302
    db.session.expire_all()
    assert series.exdates == [day.isoformat()]
    assert "Proposer à nouveau" in text_of(client.get(f"/entreprise/series/{series.id}"))
    assert client.post(f"/entreprise/series/{series.id}/exceptions/{day.isoformat()}/retirer").status_code == 302
    assert client.post(f"/entreprise/series/{series.id}/pause").status_code == 302
    db.session.expire_all()
    assert series.exdates == [] and {s.status for s in series.slots} == {SlotStatus.PAUSED}
    assert client.post(f"/entreprise/series/{series.id}/reprendre").status_code == 302
    db.session.expire_all()
    assert {s.status for s in series.slots} == {SlotStatus.OFFERED}


def test_an_exception_on_another_day_is_refused_on_the_page(client, sign_in, contact_a, site_a) -> None:
    """A Wednesday for a Tuesday series: 422 with the French reason."""
    sign_in(contact_a)
    client.post(f"/entreprise/sites/{site_a.id}/series/nouvelle", data=series_form())
    series = db.session.scalar(select(SlotSeries))
    response = client.post(
        f"/entreprise/series/{series.id}/exceptions", data={"date": (series.starts_on + timedelta(days=1)).isoformat()}
    )
    assert response.status_code == 422
    assert "ne propose pas de créneau" in text_of(response)


def test_another_companys_series_pages_are_404(client, sign_in, contact_a, contact_b, site_b) -> None:
    """Company A gets 404 on B's series page and every action on it."""
    sign_in(contact_b)
    client.post(f"/entreprise/sites/{site_b.id}/series/nouvelle", data=series_form())
    series = db.session.scalar(select(SlotSeries))
    client.post("/deconnexion")
    sign_in(contact_a)
    assert client.get(f"/entreprise/series/{series.id}").status_code == 404
    assert client.post(f"/entreprise/series/{series.id}/pause").status_code == 404
    assert client.post(f"/entreprise/series/{series.id}/exceptions", data={"date": "2030-01-01"}).status_code == 404
    slot = series.slots[0]
    assert client.post(f"/entreprise/creneaux/{slot.id}/pause").status_code == 404


def test_visits_page_confirm(client, sign_in, contact_a, site_a, make_visit) -> None:
    """The visits page shows the bus and group; confirming records the answer."""
    stop = make_visit(site_a, seats=7)
    sign_in(contact_a)
    page = text_of(client.get("/entreprise/visites"))
    assert "7 personnes inscrites" in page and "Car 1" in page and "Chloé Ambassadrice" in page
    assert "09:50" in page and "de 10:00 à 11:30" in page
    assert client.post(f"/entreprise/visites/{stop.id}/confirmer").status_code == 302
    db.session.expire_all()
    assert stop.company_response is VisitResponse.CONFIRMED


def test_visits_page_decline_alerts_the_organiser(client, sign_in, contact_a, site_a, make_visit) -> None:
    """Declining with a reason: the organiser is mailed, the tour flagged, the stop kept."""
    stop = make_visit(site_a)
    sign_in(contact_a)
    assert "Décliner la visite" in text_of(client.get(f"/entreprise/visites/{stop.id}/decliner"))
    response = client.post(f"/entreprise/visites/{stop.id}/decliner", data={"reason": "Grève des transports"})
    assert response.status_code == 302
    db.session.expire_all()
    assert stop.company_response is VisitResponse.DECLINED and stop.decline_reason == "Grève des transports"
    assert db.session.get(Tour, stop.tour_id).needs_reoptimisation is True
    [mail] = db.session.scalars(select(OutboxMail).where(OutboxMail.subject.like("Visite déclinée%"))).all()
    assert "Grève des transports" in mail.body_text
    assert "Déclinée" in text_of(client.get("/entreprise/visites"))


def test_another_companys_visit_pages_are_404(client, sign_in, contact_b, site_a, make_visit) -> None:
    """Company B gets 404 on A's visit: decline form, confirm and decline."""
    stop = make_visit(site_a)
    sign_in(contact_b)
    assert client.get(f"/entreprise/visites/{stop.id}/decliner").status_code == 404
    assert client.post(f"/entreprise/visites/{stop.id}/confirmer").status_code == 404
    assert client.post(f"/entreprise/visites/{stop.id}/decliner", data={}).status_code == 404
