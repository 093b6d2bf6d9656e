"""Invitations by mail: iTIP REQUEST and CANCEL through a real SMTP server, one person each."""

from __future__ import annotations

from datetime import timedelta

from tests.calendar.conftest import settle_calendars
from tests.conftest import PARIS, future
from tests.mail.smtp_sink import invitation_of
from tourplanner.accounts.enums import Role
from tourplanner.bookings.enums import BookingStatus
from tourplanner.mail.operations import deliver_pending
from tourplanner.tours import operations as tour_ops
from tourplanner.tours.details import TourDetails
from tourplanner.tours.models import AmbassadorAssignment
from tourplanner.tours.notices import plan_changed


def settle() -> None:
    """What follows a committed change: calendars brought up to date, then the outbox delivered."""
    settle_calendars()
    deliver_pending()


def _details(tour, **overrides):
    values = dict(
        title=tour.title,
        start=tour.start_at,
        end=tour.end_at,
        meeting_point_name=tour.meeting_point_name,
        meeting_lat=tour.meeting_lat,
        meeting_lon=tour.meeting_lon,
        bus_seats=[bus.seats for bus in tour.buses],
        booking_deadline=tour.booking_deadline_at,
    )
    values.update(overrides)
    return TourDetails(**values)


def test_a_confirmed_booking_sends_its_prescriber_a_request(
    mailbox, make_tour, make_user, make_site, add_stop, book, db
):
    """The prescriber gets one multipart/alternative mail whose text/calendar part is a valid REQUEST for them alone."""
    tour = make_tour(published=True)
    add_stop(tour, make_site(name="Aciéries du Gier"), hour=10)
    prescriber = make_user(Role.PRESCRIBER, name="Camille Martin")
    book(tour, prescriber, seats=3)
    deliver_pending()

    [received] = mailbox.to(prescriber.email)
    invite = invitation_of(received)
    event = invite.event
    assert invite.method_param == "REQUEST" == str(invite.calendar["METHOD"])
    assert str(event["UID"]) == f"tour-{tour.id}@tourplanner.test"
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    attendees = event.get("ATTENDEE")
    assert not isinstance(attendees, list)
    assert str(attendees) == f"mailto:{prescriber.email}"
    assert attendees.params["PARTSTAT"] == "ACCEPTED"
    assert str(event["ORGANIZER"]) == "mailto:tourplanner@localhost"
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event["DTEND"].params["TZID"] == "Europe/Paris"
    # 08:30 in Paris, with that day's offset (+01:00 in winter, +02:00 in summer).
    assert event.start == tour.start_at and (event.start.hour, event.start.minute) == (8, 30)
    assert event.start.utcoffset() == tour.start_at.astimezone(PARIS).utcoffset()
    assert [tz["TZID"] for tz in invite.calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert event.get("GEO").latitude == tour.meeting_lat
    assert str(event["LOCATION"]) == tour.meeting_point_name
    assert str(event["URL"]) == f"http://tourplanner.test/tours/{tour.id}"
    assert "10h00  Aciéries du Gier" in str(event["DESCRIPTION"])
    assert "Places réservées : 3" in str(event["DESCRIPTION"])
    assert "Bonjour Camille Martin" in invite.text and "10h00  Aciéries du Gier" in invite.text
    assert "Aciéries du Gier" in invite.html
    assert received.message["Subject"].startswith("Invitation : ")


def test_each_participant_is_invited_alone(mailbox, make_tour, make_user, book, db):
    """Participants with an address get their own invitation; nobody's mail names another attendee."""
    tour = make_tour(published=True)
    prescriber = make_user(Role.PRESCRIBER)
    book(tour, prescriber, seats=3, participants=[("Léa", "lea@example.fr"), ("Noé", "noe@example.fr"), ("Sam", None)])
    deliver_pending()

    assert sorted(r.recipients[0] for r in mailbox.received) == sorted(
        [prescriber.email, "lea@example.fr", "noe@example.fr"]
    )
    for received in mailbox.received:
        invite = invitation_of(received)
        assert str(invite.event["ATTENDEE"]) == f"mailto:{received.recipients[0]}"
        others = {prescriber.email, "lea@example.fr", "noe@example.fr"} - {received.recipients[0]}
        assert not any(other.encode() in received.raw for other in others)


def test_a_second_booking_of_the_same_prescriber_sends_nothing_more(mailbox, make_tour, make_user, book, db):
    """A prescriber already invited to a tour is not invited again for another group."""
    tour = make_tour(published=True)
    prescriber = make_user(Role.PRESCRIBER)
    book(tour, prescriber)
    book(tour, prescriber)
    deliver_pending()
    assert len(mailbox.to(prescriber.email)) == 1


def test_a_change_of_time_sends_a_higher_sequence_to_those_concerned(mailbox, make_tour, make_user, book, db):
    """Moving the tour sends the same UID with SEQUENCE 1 to its prescriber only; a title change sends nothing."""
    tour = make_tour(published=True, bus_seats=[2])  # full: the second booking really waits
    organiser = tour.created_by
    prescriber = make_user(Role.PRESCRIBER)
    waiting = make_user(Role.PRESCRIBER)
    book(tour, prescriber)
    book(tour, waiting, waiting=True)
    deliver_pending()
    first = invitation_of(mailbox.to(prescriber.email)[0]).event
    mailbox.clear()

    tour_ops.update_tour(tour, _details(tour, title="Nouveau titre"), organiser)
    settle()
    assert mailbox.received == []

    tour_ops.update_tour(tour, _details(tour, start=future(30, 9, 0), meeting_point_name="Gare de Givors"), organiser)
    settle()
    [received] = mailbox.received
    assert received.recipients == [prescriber.email]
    invite = invitation_of(received)
    assert invite.method_param == "REQUEST"
    assert str(invite.event["UID"]) == str(first["UID"])
    assert int(invite.event["SEQUENCE"]) == 1
    assert (invite.event.start.hour, invite.event.start.minute) == (9, 0)
    assert str(invite.event["LOCATION"]) == "Gare de Givors"
    assert received.message["Subject"].startswith("Modifié : ")


def test_a_cancelled_booking_sends_cancel_with_the_same_uid(mailbox, make_tour, make_user, book, db):
    """Cancelling a booking sends METHOD:CANCEL, STATUS:CANCELLED, same UID, higher SEQUENCE."""
    tour = make_tour(published=True)
    prescriber = make_user(Role.PRESCRIBER)
    booking = book(tour, prescriber)
    deliver_pending()
    booking.status = BookingStatus.CANCELLED
    plan_changed(tour)
    settle()

    request, cancel = (invitation_of(r) for r in mailbox.to(prescriber.email))
    assert cancel.method_param == "CANCEL" == str(cancel.calendar["METHOD"])
    assert str(cancel.event["STATUS"]) == "CANCELLED"
    assert str(cancel.event["UID"]) == str(request.event["UID"])
    assert int(cancel.event["SEQUENCE"]) > int(request.event["SEQUENCE"])
    assert str(cancel.event["ATTENDEE"]) == f"mailto:{prescriber.email}"
    assert "annulée" in cancel.text


def test_a_cancelled_booking_keeps_a_prescriber_with_another_seat(mailbox, make_tour, make_user, book, db):
    """No CANCEL to a prescriber who still holds another confirmed booking on the tour."""
    tour = make_tour(published=True)
    prescriber = make_user(Role.PRESCRIBER)
    book(tour, prescriber)
    second = book(tour, prescriber)
    second.status = BookingStatus.CANCELLED
    plan_changed(tour)
    settle()
    assert [invitation_of(r).method_param for r in mailbox.to(prescriber.email)] == ["REQUEST"]


def test_a_rebooking_after_cancel_is_a_request_with_a_higher_sequence(mailbox, make_tour, make_user, book, db):
    """Booking again after a cancellation revives the same UID with a SEQUENCE above the CANCEL's."""
    tour = make_tour(published=True)
    prescriber = make_user(Role.PRESCRIBER)
    booking = book(tour, prescriber)
    deliver_pending()
    booking.status = BookingStatus.CANCELLED
    plan_changed(tour)
    settle()
    book(tour, prescriber)
    deliver_pending()
    sequences = [int(invitation_of(r).event["SEQUENCE"]) for r in mailbox.to(prescriber.email)]
    methods = [invitation_of(r).method_param for r in mailbox.to(prescriber.email)]
    assert methods == ["REQUEST", "CANCEL", "REQUEST"]
    assert sequences == [0, 1, 2]


def test_an_assigned_ambassador_alone_is_invited_with_the_road_book(
    mailbox, make_tour, make_user, make_site, add_stop, book, db
):
    """The ambassador's invitation names their bus and links the road book; nobody else gets mail."""
    tour = make_tour(published=True, bus_seats=[20, 20])
    book(tour, make_user(Role.PRESCRIBER))
    deliver_pending()
    mailbox.clear()
    ambassador = make_user(Role.AMBASSADOR, name="Inès Robert")
    assignment = AmbassadorAssignment(tour=tour, bus=tour.buses[1], user=ambassador)
    db.session.add(assignment)
    plan_changed(tour)
    settle()

    [received] = mailbox.received
    assert received.recipients == [ambassador.email]
    invite = invitation_of(received)
    assert str(invite.event["ATTENDEE"]) == f"mailto:{ambassador.email}"
    description = str(invite.event["DESCRIPTION"])
    assert "Car 2" in description
    assert f"Feuille de route : http://tourplanner.test/tours/{tour.id}/feuille-de-route" in description


def test_a_scheduled_visit_invites_the_company_contacts_only(
    mailbox, make_tour, make_user, make_site, add_stop, book, db
):
    """The contacts of the site's organisation get the visit (arrival time, group size); other companies nothing;
    the prescriber, whose programme now lists it, gets one update."""
    tour = make_tour(published=True)
    prescriber = make_user(Role.PRESCRIBER)
    book(tour, prescriber, seats=4)
    deliver_pending()
    mailbox.clear()
    site = make_site(name="Plasturgie Meyzieu")
    contact = make_user(Role.COMPANY, organisation=site.organisation.name)
    other = make_user(Role.COMPANY)  # another company
    stop = add_stop(tour, site, hour=10, minute=15)
    plan_changed(tour)
    settle()

    assert mailbox.to(other.email) == []
    [update] = mailbox.to(prescriber.email)
    assert int(invitation_of(update).event["SEQUENCE"]) == 1
    assert "Plasturgie Meyzieu" in invitation_of(update).text
    [received] = mailbox.to(contact.email)
    assert received.recipients == [contact.email]
    event = invitation_of(received).event
    assert str(event["UID"]) == f"visit-{tour.id}-{stop.slot_id}@tourplanner.test"
    assert (event.start.hour, event.start.minute) == (10, 15)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert "Plasturgie Meyzieu" in str(event["LOCATION"])
    assert "Groupe : 4 personnes" in str(event["DESCRIPTION"])
    assert str(event["ATTENDEE"]) == f"mailto:{contact.email}"


def test_a_visit_of_a_draft_tour_is_not_sent(mailbox, make_tour, make_user, make_site, add_stop, db):
    """Visits of a draft tour reach no company until the tour is published."""
    tour = make_tour(published=False)
    site = make_site()
    contact = make_user(Role.COMPANY, organisation=site.organisation.name)
    add_stop(tour, site)
    plan_changed(tour)
    settle()
    assert mailbox.received == []
    tour_ops.publish_tour(tour, tour.created_by)
    settle()
    assert [r.recipients for r in mailbox.received] == [[contact.email]]


def test_a_moved_visit_is_updated_and_a_removed_one_cancelled(mailbox, make_tour, make_user, make_site, add_stop, db):
    """Moving a visit raises its SEQUENCE; removing it sends CANCEL with the same UID."""
    tour = make_tour(published=True)
    site = make_site()
    contact = make_user(Role.COMPANY, organisation=site.organisation.name)
    stop = add_stop(tour, site, hour=10)
    plan_changed(tour)
    settle()
    plan_changed(tour)
    settle()  # unchanged: nothing more
    stop.arrival_at += timedelta(minutes=30)
    stop.departure_at += timedelta(minutes=30)
    plan_changed(tour)
    settle()
    db.session.delete(stop)
    plan_changed(tour)
    settle()

    invites = [invitation_of(r) for r in mailbox.to(contact.email)]
    assert [i.method_param for i in invites] == ["REQUEST", "REQUEST", "CANCEL"]
    assert [int(i.event["SEQUENCE"]) for i in invites] == [0, 1, 2]
    assert len({str(i.event["UID"]) for i in invites}) == 1
    assert (invites[1].event.start.hour, invites[1].event.start.minute) == (10, 30)


def test_a_cancelled_tour_sends_cancel_to_everyone_concerned(
    mailbox, make_tour, make_user, make_site, add_stop, book, db
):
    """Prescriber, participant, ambassador and company contact each get a CANCEL of what they were sent, with the
    reason."""
    tour = make_tour(published=True)
    site = make_site()
    contact = make_user(Role.COMPANY, organisation=site.organisation.name)
    add_stop(tour, site)
    prescriber = make_user(Role.PRESCRIBER)
    book(tour, prescriber, participants=[("Léa", "lea@example.fr")])
    ambassador = make_user(Role.AMBASSADOR)
    assignment = AmbassadorAssignment(tour=tour, bus=tour.buses[0], user=ambassador)
    db.session.add(assignment)
    plan_changed(tour)
    settle()
    sent = {r.recipients[0]: invitation_of(r) for r in mailbox.received}
    mailbox.clear()

    tour_ops.cancel_tour(tour, tour.created_by, reason="Grève des transports")
    settle()

    cancels = {r.recipients[0]: invitation_of(r) for r in mailbox.received}
    assert set(cancels) == {prescriber.email, "lea@example.fr", ambassador.email, contact.email} == set(sent)
    for address, cancel in cancels.items():
        assert cancel.method_param == "CANCEL"
        assert str(cancel.event["STATUS"]) == "CANCELLED"
        assert str(cancel.event["UID"]) == str(sent[address].event["UID"])
        assert int(cancel.event["SEQUENCE"]) == int(sent[address].event["SEQUENCE"]) + 1
        assert "Motif : Grève des transports" in cancel.text
    assert len(mailbox.received) == 4


def test_without_smtp_mail_waits_in_the_outbox(app, make_tour, make_user, book, db):
    """With no SMTP server configured the invitation is kept, unsent, in the outbox."""
    from tourplanner.mail.models import OutboxMail

    app.config["SMTP_HOST"] = None
    tour = make_tour(published=True)
    prescriber = make_user(Role.PRESCRIBER)
    book(tour, prescriber)
    assert deliver_pending() == 0
    [mail] = db.session.query(OutboxMail).all()
    assert mail.recipient == prescriber.email and mail.sent_at is None and mail.ics_method == "REQUEST"


def test_a_moved_ambassador_gets_an_update_and_an_unassigned_one_a_cancel(mailbox, make_tour, make_user, db):
    """Moving the ambassador to another bus raises the SEQUENCE; taking them off sends CANCEL."""
    tour = make_tour(published=True, bus_seats=[20, 20])
    ambassador = make_user(Role.AMBASSADOR)
    assignment = AmbassadorAssignment(tour=tour, bus=tour.buses[0], user=ambassador)
    db.session.add(assignment)
    plan_changed(tour)
    settle()
    assignment.bus = tour.buses[1]
    plan_changed(tour)
    settle()
    db.session.delete(assignment)
    plan_changed(tour)
    settle()
    invites = [invitation_of(r) for r in mailbox.to(ambassador.email)]
    assert [(i.method_param, int(i.event["SEQUENCE"])) for i in invites] == [
        ("REQUEST", 0),
        ("REQUEST", 1),
        ("CANCEL", 2),
    ]
    assert "Car 2" in str(invites[1].event["DESCRIPTION"])


def test_an_unassigned_ambassador_who_booked_keeps_the_tour(mailbox, make_tour, make_user, book, db):
    """Someone still holding a seat on the tour gets no CANCEL when taken off as ambassador."""
    tour = make_tour(published=True)
    person = make_user(Role.AMBASSADOR)
    book(tour, person)
    assignment = AmbassadorAssignment(tour=tour, bus=tour.buses[0], user=person)
    db.session.add(assignment)
    plan_changed(tour)
    settle()
    db.session.delete(assignment)
    plan_changed(tour)
    settle()
    assert "CANCEL" not in [invitation_of(r).method_param for r in mailbox.to(person.email)]
