"""The organisers' answers to offered visit slots: accept, decline, add to a tour.

An organiser accepts a slot it means to use (it stays usable by tours) or declines one it
will not use: a declined slot can no longer become a tour's candidate. A slot that is a
candidate of a tour still being planned cannot be declined; the organiser takes it out of
that tour first, so that no tour keeps a visit nobody will hold. A declined slot may be
accepted afterwards, as long as its window has not begun.
"""

from __future__ import annotations

from tourplanner.accounts.models import User
from tourplanner.accounts.permissions import require_organiser
from tourplanner.audit.operations import record
from tourplanner.db import utcnow
from tourplanner.errors import Conflict, InvalidInput, NotFound
from tourplanner.extensions import db
from tourplanner.sites.catalogue import OPEN_TOUR_STATUSES, live_tours_by_slot
from tourplanner.sites.enums import SlotStatus
from tourplanner.sites.models import Slot
from tourplanner.timeutil import to_local
from tourplanner.tours import itinerary
from tourplanner.tours.models import Tour
from tourplanner.tours.queries import check_manages, is_tour_visible

#: The longest reason or note an organiser may give with an answer, in characters.
REASON_MAX_LENGTH = 500

#: Why a slot in each status cannot be accepted or declined, in French.
UNAVAILABLE = {
    SlotStatus.PAUSED: "l'entreprise a mis ce créneau en pause",
    SlotStatus.WITHDRAWN: "l'entreprise a retiré ce créneau",
}


def slot_for_review(user: User, slot_id: int) -> Slot:
    """The slot with this id, for an organiser to answer; 403 for other roles, 404 when unknown."""
    require_organiser(user)
    slot = db.session.get(Slot, slot_id)
    if slot is None:
        raise NotFound(f"aucun créneau n°{slot_id}")
    return slot


def _clean_reason(reason: str | None) -> str | None:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidInput.one("reason", f"{REASON_MAX_LENGTH} caractères au plus")
    return reason or None


def accept_slot(slot: Slot, organiser: User, reason: str | None = None) -> Slot:
    """Accept an offered (or earlier declined) slot whose window has not begun."""
    require_organiser(organiser)
    reason = _clean_reason(reason)
    if slot.status is SlotStatus.ACCEPTED:
        raise Conflict("ce créneau est déjà retenu")
    if slot.status in UNAVAILABLE:
        raise Conflict(f"{UNAVAILABLE[slot.status]} : il ne peut pas être retenu")
    if slot.start_at <= utcnow():
        raise Conflict("ce créneau a déjà commencé : il ne peut plus être retenu")
    before = slot.status
    slot.status = SlotStatus.ACCEPTED
    record(organiser, "slot.accept", slot, status_before=before.value, reason=reason)
    return slot


def decline_slot(slot: Slot, organiser: User, reason: str | None = None) -> Slot:
    """Decline an offered or accepted slot that no tour being planned counts on."""
    require_organiser(organiser)
    reason = _clean_reason(reason)
    if slot.status is SlotStatus.DECLINED:
        raise Conflict("ce créneau est déjà décliné")
    if slot.status in UNAVAILABLE:
        raise Conflict(f"{UNAVAILABLE[slot.status]} : il n'y a rien à décliner")
    tours = live_tours_by_slot([slot.id]).get(slot.id, [])
    if tours:
        # Any territory's tour counting on the slot forbids declining it; only those the organiser
        # may see are named (another territory's drafts are theirs alone).
        named = [f"« {t.title} » du {to_local(t.start_at):%d/%m/%Y}" for t in tours if is_tour_visible(organiser, t)]
        if len(named) < len(tours):
            named.append("un tour en préparation d'un autre territoire")
        raise Conflict(
            f"ce créneau fait partie des visites possibles de {', '.join(named)} : retirez-le d'abord de l'itinéraire"
        )
    before = slot.status
    slot.status = SlotStatus.DECLINED
    record(organiser, "slot.decline", slot, status_before=before.value, reason=reason)
    return slot


def add_slot_to_tour(slot: Slot, tour: Tour, organiser: User) -> bool:
    """Make `slot` one of the candidates of a draft or published tour of its day.

    Returns False, changing nothing, when the slot already is one.
    """
    check_manages(organiser, tour)
    if tour.status not in OPEN_TOUR_STATUSES:
        raise Conflict(f"ce tour est {tour.status.label.lower()} : on n'y ajoute plus de visite")
    if slot.status not in itinerary.USABLE_SLOT_STATUSES:
        raise Conflict(f"ce créneau est {slot.status.label.lower()} : il ne peut pas être ajouté à un tour")
    if to_local(slot.start_at).date() != to_local(tour.start_at).date():
        raise InvalidInput.one(
            "tour_id",
            f"« {tour.title} » a lieu le {to_local(tour.start_at):%d/%m/%Y}, "
            f"pas le jour de ce créneau ({to_local(slot.start_at):%d/%m/%Y})",
        )
    present = [candidate.slot_id for candidate in tour.candidates]
    if slot.id in present:
        return False
    itinerary.set_candidates(tour, present + [slot.id], organiser)
    return True
