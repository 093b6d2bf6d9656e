"""French formatting in one place (tourplanner.formatting): names from CLDR, the writer's choices, plurals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.conftest import PARIS
from tourplanner import formatting


def test_day_and_month_names_are_french_monday_and_january_first() -> None:
    assert formatting.DAYS[0] == "lundi" and formatting.DAYS[6] == "dimanche" and len(formatting.DAYS) == 7
    assert formatting.MONTHS[0] == "janvier" and formatting.MONTHS[7] == "août" and formatting.MONTHS[11] == "décembre"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2027, 3, 1, 9, 0, tzinfo=PARIS), "lundi 1er mars 2027"),
        (datetime(2027, 7, 14, 23, 30, tzinfo=PARIS), "mercredi 14 juillet 2027"),
        # 23:30 UTC on 31 December is already New Year's Day in Paris.
        (datetime(2027, 12, 31, 23, 30, tzinfo=UTC), "samedi 1er janvier 2028"),
        (date(2028, 2, 29), "mardi 29 février 2028"),
    ],
)
def test_long_dates_are_written_in_the_tours_zone_with_1er(app, value, expected) -> None:
    assert formatting.long_date(value) == expected


def test_times_and_strftime_patterns_speak_french(app) -> None:
    summer = datetime(2027, 7, 14, 6, 5, tzinfo=UTC)  # 08:05 in Paris (UTC+2)
    assert formatting.hm(summer) == "8h05"
    assert formatting.strftime(summer, "%A %-d %B %Y à %H:%M") == "mercredi 14 juillet 2027 à 08:05"


@pytest.mark.parametrize(
    ("count", "word", "plural_form", "expected"),
    [
        (0, "place libre", None, "0 place libre"),  # French: zero takes the singular
        (1, "place libre", None, "1 place libre"),
        (2, "place libre", None, "2 places libres"),
        (3, "créneau", "créneaux", "3 créneaux"),
        (1, "créneau", "créneaux", "1 créneau"),
        (1234, "personne inscrite", None, "1\u202f234 personnes inscrites"),
    ],
)
def test_counts_agree_with_their_words(count, word, plural_form, expected) -> None:
    assert formatting.counted(count, word, plural_form) == expected


def test_plural_alone_and_shares() -> None:
    assert formatting.plural(1.5, "heure") == "heure"  # CLDR: 1.5 is still « one » in French
    assert formatting.plural(2, "présent") == "présents"
    assert formatting.percent(0.62) == "62\u00a0%"
    assert formatting.number(1234.5, 1) == "1\u202f234,5"


def test_pages_use_the_same_rules(app) -> None:
    render = app.jinja_env.from_string("{{ n|counted('place') }} · {{ n|plural('inscrit confirmé') }}").render
    assert render(n=0) == "0 place · inscrit confirmé"
    assert render(n=3) == "3 places · inscrits confirmés"
