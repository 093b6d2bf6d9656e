"""Workshops in the pages: the organiser defines them and attaches reports; people register; reports are shown."""

from __future__ import annotations

import html
import io

import time_machine
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.workshops.helpers import paris
from tourplanner.accounts.enums import Role
from tourplanner.extensions import db
from tourplanner.workshops.models import Workshop, WorkshopRegistration
from tourplanner.workshops.operations import REPORT_MAX_BYTES


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_organiser_adds_a_workshop_from_the_page(client, sign_in, organiser, event) -> None:
    """The form creates the workshop in Paris time; the event's page links to the workshops."""
    sign_in(organiser.user)
    assert "Ateliers" in _text(client.get(f"/tours/{event.id}"))
    response = client.post(
        f"/tours/{event.id}/ateliers",
        data={
            "new-theme": "Recruter sans CV",
            "new-capacity": "12",
            "new-start": "2027-03-16T14:00",
            "new-end": "2027-03-16T15:30",
        },
    )
    assert response.status_code == 302
    [workshop] = db.session.query(Workshop).all()
    assert (workshop.theme, workshop.capacity, workshop.start_at) == ("Recruter sans CV", 12, paris(16, 14))
    assert "Recruter sans CV" in _text(client.get(response.headers["Location"]))


def test_a_workshop_outside_the_event_is_refused_in_french(client, sign_in, organiser, event) -> None:
    """An out-of-hours workshop: 422 with the French reason, nothing created."""
    sign_in(organiser.user)
    response = client.post(
        f"/tours/{event.id}/ateliers",
        data={"new-theme": "Tard", "new-capacity": "5", "new-start": "2027-03-16T18:00", "new-end": "2027-03-16T19:00"},
    )
    assert response.status_code == 422
    assert "L'atelier doit se tenir pendant l'événement." in _text(response)
    assert db.session.query(Workshop).count() == 0


def test_a_prescriber_registers_one_person_per_slot(client, sign_in, make_user, make_workshop) -> None:
    """The first registration is shown; the same person in an overlapping workshop gets a French 409."""
    first = make_workshop(theme="Recruter sans CV")
    beside = make_workshop(theme="Accueillir en immersion")
    sign_in(make_user(Role.PRESCRIBER))
    data = {"name": "Nina Roux", "email": "nina@example.fr"}
    ok = client.post(
        f"/tours/{first.tour_id}/ateliers/{first.id}/inscrire", data={f"r{first.id}-{k}": v for k, v in data.items()}
    )
    assert ok.status_code == 302
    assert "Nina Roux" in _text(client.get(ok.headers["Location"]))
    refused = client.post(
        f"/tours/{beside.tour_id}/ateliers/{beside.id}/inscrire", data={f"r{beside.id}-{k}": v for k, v in data.items()}
    )
    assert refused.status_code == 409
    assert "Inscription impossible : déjà inscrit(e) à un atelier sur ce créneau : nina@example.fr." in _text(refused)
    assert db.session.query(WorkshopRegistration).count() == 1


def test_organiser_attaches_a_report_file_that_registered_people_see(
    client, sign_in, make_user, organiser, make_workshop
) -> None:
    """After the workshop the organiser uploads a file and a text; the prescriber who registered sees both."""
    workshop = make_workshop()
    prescriber = make_user(Role.PRESCRIBER)
    sign_in(prescriber)
    client.post(
        f"/tours/{workshop.tour_id}/ateliers/{workshop.id}/inscrire",
        data={f"r{workshop.id}-name": "Omar", f"r{workshop.id}-email": "omar@example.fr"},
    )
    sign_in(organiser.user)
    key = f"cr{workshop.id}"
    with time_machine.travel(paris(16, 12), tick=False):
        response = client.post(
            f"/tours/{workshop.tour_id}/ateliers/{workshop.id}/compte-rendu",
            data={
                f"{key}-text": "Trois pistes retenues.",
                f"{key}-file": (io.BytesIO(b"notes"), "cr.txt", "text/plain"),
            },
            content_type="multipart/form-data",
        )
    assert response.status_code == 302
    sign_in(prescriber)
    page = _text(client.get(f"/tours/{workshop.tour_id}/ateliers"))
    assert "Trois pistes retenues." in page and "Télécharger cr.txt" in page
    download = client.get(f"/tours/{workshop.tour_id}/ateliers/{workshop.id}/compte-rendu/fichier")
    assert download.data == b"notes"
    sign_in(make_user(Role.PRESCRIBER))
    assert "Trois pistes retenues." not in _text(client.get(f"/tours/{workshop.tour_id}/ateliers"))


def test_a_report_file_too_large_is_refused_in_french(client, sign_in, organiser, make_workshop) -> None:
    """A file over the limit: 413 with a French message, nothing attached."""
    workshop = make_workshop()
    sign_in(organiser.user)
    key = f"cr{workshop.id}"
    # Encoded here in memory: the test client would spool so large a body to a file it never closes.
    boundary, body = encode_multipart(
        MultiDict(
            {f"{key}-file": FileStorage(io.BytesIO(b"x" * (REPORT_MAX_BYTES + 1)), "cr.txt", content_type="text/plain")}
        )
    )
    with time_machine.travel(paris(16, 12), tick=False):
        response = client.post(
            f"/tours/{workshop.tour_id}/ateliers/{workshop.id}/compte-rendu",
            data=body,
            content_type=f"multipart/form-data; boundary={boundary}",
        )
    assert response.status_code == 413
    assert "Compte rendu refusé : le fichier dépasse 512 Ko." in _text(response)
    db.session.expire_all()
    assert not db.session.get(Workshop, workshop.id).has_report


def test_another_territorys_organiser_does_not_see_who_registered(
    client, sign_in, make_user, organiser, make_workshop
) -> None:
    """The names and addresses of the registered are for the event's own organisers (as in the API), not for an
    organiser of another territory, who sees the event as anyone does."""
    workshop = make_workshop(theme="Recruter sans CV")
    sign_in(make_user(Role.PRESCRIBER))
    data = {"name": "Nina Roux", "email": "nina@example.fr"}
    registered = client.post(
        f"/tours/{workshop.tour_id}/ateliers/{workshop.id}/inscrire",
        data={f"r{workshop.id}-{k}": v for k, v in data.items()},
    )
    assert registered.status_code == 302
    sign_in(organiser.user)
    assert "nina@example.fr" in _text(client.get(f"/tours/{workshop.tour_id}/ateliers"))
    sign_in(make_user(Role.ORGANISER, organisation="Territoire voisin"))
    page = _text(client.get(f"/tours/{workshop.tour_id}/ateliers"))
    assert "Recruter sans CV" in page
    assert "Nina Roux" not in page and "nina@example.fr" not in page
