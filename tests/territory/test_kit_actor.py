"""The kit's verbs and reads check their actor themselves: each refuses anyone but an organiser, whatever the route."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.pages.helpers import text_of
from tourplanner.accounts.enums import Role
from tourplanner.errors import PermissionDenied
from tourplanner.extensions import db
from tourplanner.kit import layout, operations, queries
from tourplanner.kit.models import TourTemplate
from tourplanner.sites.models import IndustrialZone

NOT_ORGANISERS = [Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR]
#: A sound kit with one zone: imported, it would create a row.
KIT = {
    "format": layout.FORMAT,
    "version": layout.VERSION,
    "zones": [{"name": "ZI du Gier", "city": "Rive-de-Gier", "territory": "Vallée du Gier", "lat": 45.5, "lon": 4.6}],
}
DETAILS = {
    "kind": "zi_tour",
    "meeting_point": {"name": "Gare de Rive-de-Gier", "address": None, "lat": 45.52, "lon": 4.61},
    "start": "08:30",
    "duration_minutes": 450,
    "buses": [{"seats": 20}],
}


def _template(make_user) -> TourTemplate:
    """A tour template of the organisers' organisation."""
    organiser = make_user(Role.ORGANISER)
    template = TourTemplate(organisation_id=organiser.organisation_id, name="ZI Tour du Gier", details=DETAILS)
    db.session.add(template)
    db.session.commit()
    return template


@pytest.mark.parametrize("role", NOT_ORGANISERS)
def test_export_kit_refuses_anyone_but_an_organiser(make_user, role: Role) -> None:
    """export_kit, called without a route, refuses a prescriber, a company contact or an ambassador."""
    with pytest.raises(PermissionDenied):
        queries.export_kit(make_user(role))


@pytest.mark.parametrize("role", NOT_ORGANISERS)
def test_import_kit_refuses_anyone_but_an_organiser(make_user, role: Role) -> None:
    """import_kit refuses anyone but an organiser, and writes nothing."""
    with pytest.raises(PermissionDenied):
        operations.import_kit(dict(KIT), make_user(role))
    assert db.session.scalar(select(func.count()).select_from(IndustrialZone)) == 0


@pytest.mark.parametrize("role", NOT_ORGANISERS)
def test_import_kit_file_checks_the_actor_before_reading_the_file(make_user, role: Role) -> None:
    """A file that is not even a kit, from anyone but an organiser, is refused for who sends it, not read."""
    with pytest.raises(PermissionDenied):
        operations.import_kit_file(b"\x00 not json" * 1000, make_user(role))


def test_import_kit_file_imports_an_organisers_kit(make_user) -> None:
    """From an organiser, the file's bytes are read and imported."""
    report = operations.import_kit_file(json.dumps(KIT).encode(), make_user(Role.ORGANISER))
    assert report.zones_created == 1


@pytest.mark.parametrize("role", NOT_ORGANISERS)
def test_templates_of_refuses_anyone_but_an_organiser(make_user, role: Role) -> None:
    """templates_of (the kit page's list) refuses anyone but an organiser."""
    with pytest.raises(PermissionDenied):
        queries.templates_of(make_user(role))


def test_get_template_refuses_a_prescriber(make_user) -> None:
    """get_template refuses a prescriber with a 403, not a 404 (the template exists)."""
    template = _template(make_user)
    with pytest.raises(PermissionDenied):
        queries.get_template(make_user(Role.PRESCRIBER), template.id)


def test_create_tour_from_template_refuses_a_prescriber(make_user) -> None:
    """create_tour_from_template refuses a prescriber with a 403 (PermissionDenied, not NotFound)."""
    template = _template(make_user)
    with pytest.raises(PermissionDenied):
        operations.create_tour_from_template(template, make_user(Role.PRESCRIBER), date(2099, 1, 5))


def test_the_organiser_reads_their_templates(make_user) -> None:
    """The same reads answer an organiser: their organisation's templates."""
    template = _template(make_user)
    organiser = make_user(Role.ORGANISER)
    assert [t.name for t in queries.templates_of(organiser)] == ["ZI Tour du Gier"]
    assert queries.get_template(organiser, template.id) is template


def test_the_kit_page_and_its_import_refuse_a_prescriber(make_user, client, sign_in) -> None:
    """The kit page and its import answer a prescriber with the French 403 page, and import nothing."""
    sign_in(make_user(Role.PRESCRIBER))
    page = client.get("/organisateur/kit")
    assert page.status_code == 403 and "action réservée aux organisateurs" in text_of(page).lower()
    upload = {"file": (io.BytesIO(json.dumps(KIT).encode()), "kit.json")}
    posted = client.post("/organisateur/kit/import", data=upload, content_type="multipart/form-data")
    assert posted.status_code == 403 and "action réservée aux organisateurs" in text_of(posted).lower()
    empty = client.post("/organisateur/kit/import", data={}, content_type="multipart/form-data")
    assert empty.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(IndustrialZone)) == 0
