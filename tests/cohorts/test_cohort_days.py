"""Which weeks a cohort meets: the weekly rule less French public holidays and the zone's school holidays."""

from __future__ import annotations

from datetime import date

from tourplanner.cohorts.days import rule_days, school_holiday


def test_school_holidays_of_the_zone_are_skipped_with_their_name() -> None:
    """Zone A's winter holidays 2027 (13–28 February) take two Tuesdays; zone B starts a week later."""
    days = {d.day: d.skipped_because for d in rule_days(date(2027, 1, 5), date(2027, 3, 30), 1, "A")}
    assert days[date(2027, 2, 16)] == "vacances scolaires (Vacances d'hiver, zone A)"
    assert days[date(2027, 2, 23)] == "vacances scolaires (Vacances d'hiver, zone A)"
    assert days[date(2027, 2, 9)] is None and days[date(2027, 3, 2)] is None
    assert school_holiday(date(2027, 2, 16), "B") is None
    assert school_holiday(date(2027, 2, 9), "C") == "Vacances d'hiver"


def test_public_holidays_are_skipped_with_their_french_name() -> None:
    """Mondays in spring 2027 (zone A): Easter Monday and Whit Monday give no session."""
    days = {d.day: d.skipped_because for d in rule_days(date(2027, 3, 1), date(2027, 6, 28), 0, "A")}
    assert days[date(2027, 3, 29)] == "jour férié (Lundi de Pâques)"
    assert days[date(2027, 5, 17)] == "jour férié (Lundi de Pentecôte)"
    assert days[date(2027, 5, 10)] is None


def test_the_rule_starts_on_the_first_weekday_in_range() -> None:
    """From Sunday 3 January: the first Tuesday is the 5th, then every seven days up to the last day."""
    days = [d.day for d in rule_days(date(2027, 1, 3), date(2027, 1, 26), 1, "A")]
    assert days == [date(2027, 1, 5), date(2027, 1, 12), date(2027, 1, 19), date(2027, 1, 26)]
