"""Each definition of the bilan, computed on the hand-made history of conftest.py (answers worked out by hand).

Period: 1 January – 30 June 2027. Actions: T1, T2, T4 (T0 is before, T5 after by half an hour
in Paris, T3 is cancelled).
"""

from __future__ import annotations

from datetime import date

import pytest

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.impact.enums import Respondent
from tourplanner.impact.figures import BilanFilter
from tourplanner.impact.queries import compute_bilan
from tourplanner.tours.enums import TourKind

PERIOD = (date(2027, 1, 1), date(2027, 6, 30))


@pytest.fixture
def bilan(seeded):
    """The bilan of the whole period, no other filter."""
    return compute_bilan(BilanFilter(*PERIOD))


def test_actions_are_tours_not_cancelled_starting_in_the_period(bilan):
    """T1, T2 and T4: not T3 (cancelled), nor T0 and T5 (outside [from, to] in Paris time)."""
    assert bilan.actions == 3


def test_participants_are_present_people_or_confirmed_seats_where_attendance_was_not_taken(bilan):
    """T1: 2 present (1 absent, 2 absent elsewhere); T2: 4 confirmed seats (waitlisted, cancelled left out); T4: 1."""
    assert bilan.participants == 7


def test_companies_count_distinct_organisations_visited_without_declined_visits(bilan):
    """C1 (twice), C2, C3: C4 declined, C5 was on the cancelled tour only."""
    assert bilan.companies == 3


def test_prescribers_count_once_and_only_with_a_counted_participant(bilan):
    """P1, P3, P4: P2's people were all absent."""
    assert bilan.prescribers == 3


def test_an_outcome_counts_a_counted_person_once_per_kind(bilan):
    """Alice recruited twice counts once; Chloé absent, Gilles on a cancelled tour, Inès and Zoé outside: not
    counted."""
    assert (bilan.recruitments, bilan.trainings, bilan.internships) == (2, 1, 1)


def test_perception_counts_people_who_answered_before_and_after(bilan):
    """Prescribers: P1 rose, P3 same, P4 fell (P2 before only, T3 cancelled); the company contact once over two
    tours."""
    prescribers, companies = bilan.perception[Respondent.PRESCRIBER], bilan.perception[Respondent.COMPANY]
    assert (prescribers.answered, prescribers.improved) == (3, 1)
    assert (companies.answered, companies.improved) == (1, 1)
    # Concerned: prescribers with a confirmed booking (P1, P2, P3, P4); C1's single contact.
    assert (prescribers.concerned, companies.concerned) == (4, 1)
    assert prescribers.response_rate == pytest.approx(0.75)


def test_fill_and_no_show_rates(bilan):
    """Fill: 10 confirmed of 38 seats; no-show: 3 absent of 6 recorded."""
    assert (bilan.seats_confirmed, bilan.seats_offered) == (10, 38)
    assert bilan.no_show_rate == pytest.approx(0.5)


def test_counts_per_month_and_per_slice(bilan):
    """Per month of the action's start; per role and kind of the booker's organisation."""
    assert [(m.month, m.actions, m.participants) for m in bilan.by_month] == [
        ("2027-02", 1, 2),
        ("2027-03", 1, 4),
        ("2027-06", 1, 1),
    ]
    slices = {(s.role, s.kind): s.participants for s in bilan.by_slice}
    assert slices == {
        (Role.PRESCRIBER, OrganisationKind.MISSION_LOCALE): 2,
        (Role.PRESCRIBER, OrganisationKind.FRANCE_TRAVAIL): 5,
    }


def test_a_territory_is_that_of_the_industrial_zones_visited(seeded):
    """Lyon Est: T1 and T2 (C1, C2 visited); Vallée du Gier: T4 alone."""
    lyon = compute_bilan(BilanFilter(*PERIOD, territory="Lyon Est"))
    assert (lyon.actions, lyon.participants, lyon.companies) == (2, 6, 2)
    gier = compute_bilan(BilanFilter(*PERIOD, territory="Vallée du Gier"))
    assert (gier.actions, gier.participants, gier.companies) == (1, 1, 1)


def test_a_kind_of_programme(seeded):
    """Small-group company visits: T2 alone."""
    visits = compute_bilan(BilanFilter(*PERIOD, kind=TourKind.COMPANY_VISIT))
    assert (visits.actions, visits.participants, visits.prescribers, visits.internships) == (1, 4, 1, 1)


def test_an_organisation_counts_its_own_people(seeded):
    """Mission locale Lyon: T1 only (its T2 booking waits); Alice and Bruno, by P1."""
    organisation = seeded.users["P1"].organisation
    own = compute_bilan(BilanFilter(*PERIOD, organisation_id=organisation.id))
    assert (own.actions, own.participants, own.prescribers, own.recruitments) == (1, 2, 1, 2)


def test_the_period_bounds_are_local_days_both_included(seeded):
    """30 June 18:00 is in a period ending 30 June; 1 July 00:30 (still 30 June in UTC) is not."""
    assert compute_bilan(BilanFilter(date(2027, 6, 30), date(2027, 6, 30))).actions == 1
    assert compute_bilan(BilanFilter(date(2027, 7, 1), date(2027, 7, 1))).actions == 1


def test_a_persons_perception_runs_from_first_before_to_last_after(history):
    """Rose on T1 (2→4) but ended lower (T2: 3→1): answered, not improved; a single tour that rose: improved."""
    from tests.impact.conftest import paris

    history.company("C1", "Lyon Est")
    history.prescriber("P1", "Mission locale Lyon", OrganisationKind.MISSION_LOCALE)
    history.prescriber("P2", "Mission locale Lyon", OrganisationKind.MISSION_LOCALE)
    history.tour("T1", paris(2027, 2, 10))
    history.tour("T2", paris(2027, 3, 10))
    for tour in ("T1", "T2"):
        history.book(tour, "P1", 1)
        history.book(tour, "P2", 1)
    history.answer("T1", "P1", 2, 4)
    history.answer("T2", "P1", 3, 1)
    history.answer("T2", "P2", 2, 3)
    from tourplanner.extensions import db

    db.session.commit()
    figures = compute_bilan(BilanFilter(*PERIOD)).perception[Respondent.PRESCRIBER]
    assert (figures.answered, figures.improved) == (2, 1)
    assert figures.mean_before == pytest.approx(2.0) and figures.mean_after == pytest.approx(2.0)
