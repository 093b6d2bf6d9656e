"""The localtime filter: times shown in Europe/Paris with French names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from routes.filters import localtime

pytestmark = pytest.mark.usefixtures("app")  # the zone comes from the app's configuration


def test_utc_is_shown_in_paris_time_with_french_names():
    """A UTC instant shows in Paris time (summer offset here), with French day and month names."""
    assert localtime(datetime(2027, 6, 14, 7, 30, tzinfo=UTC), "%A %-d %B %Y, %H:%M") == "lundi 14 juin 2027, 09:30"


def test_first_of_the_month_is_written_1er():
    """French writes the first day of a month « 1er »."""
    assert localtime(datetime(2027, 3, 1, 8, 0, tzinfo=UTC), "%-d %B") == "1er mars"


def test_winter_offset_and_numeric_format():
    """In winter Paris is UTC+1; the default format is dd/mm/yyyy hh:mm."""
    assert localtime(datetime(2027, 1, 9, 23, 15, tzinfo=UTC)) == "10/01/2027 00:15"


def test_none_shows_nothing():
    """A missing time renders as an empty string, not « None »."""
    assert localtime(None) == ""
