"""French formatting, in one place: day and month names, dates, times, numbers and plurals.

Names, number separators and plural rules come from Babel's copy of the Unicode CLDR, not
from lists written by hand; the choices French readers expect that CLDR leaves to the writer
(« 1er » for the first of the month, « 8h30 » for a time) are made here once. Pages (as
template filters), mails, invitations and the demo all format through these functions.
"""

from __future__ import annotations

from datetime import date, datetime

from babel import Locale
from babel.numbers import format_decimal, format_percent

from tourplanner.timeutil import to_local

LOCALE = Locale("fr", "FR")

#: Day names, Monday first (as date.weekday() counts).
DAYS: tuple[str, ...] = tuple(LOCALE.days["format"]["wide"][index] for index in range(7))
#: Month names, January first.
MONTHS: tuple[str, ...] = tuple(LOCALE.months["format"]["wide"][month] for month in range(1, 13))


def _local(value: date | datetime) -> date | datetime:
    """A moment in the tours' zone; a plain date as it is."""
    return to_local(value) if isinstance(value, datetime) else value


def day_of_month(value: date | datetime) -> str:
    """The day as French writes it in a date: « 1er », « 2 », … « 31 »."""
    day = _local(value).day
    return "1er" if day == 1 else str(day)


def day_month(value: date | datetime) -> str:
    """« 1er mars », « 14 juillet »."""
    local = _local(value)
    return f"{day_of_month(local)} {MONTHS[local.month - 1]}"


def long_date(value: date | datetime) -> str:
    """A day in full, in the tours' zone: « mardi 9 mars 2027 »."""
    local = _local(value)
    return f"{DAYS[local.weekday()]} {day_month(local)} {local.year}"


def hm(value: datetime) -> str:
    """A time of day as French people write it, in the tours' zone: « 8h30 »."""
    local = to_local(value)
    return f"{local.hour}h{local:%M}"


def strftime(value: datetime, fmt: str) -> str:
    """`value` in the tours' zone through a strftime pattern whose %A and %B are French names and
    whose %-d is the day as French writes it (1er, 2…)."""
    local = to_local(value)
    fmt = (
        fmt.replace("%A", DAYS[local.weekday()])
        .replace("%B", MONTHS[local.month - 1])
        .replace("%-d", day_of_month(local))
    )
    return local.strftime(fmt)


def plural(count: float, singular: str, plural_form: str | None = None) -> str:
    """The word that agrees with `count` by French rules (0 and 1 take the singular):
    plural(2, "place") → « places », plural(3, "créneau", "créneaux") → « créneaux »."""
    if LOCALE.plural_form(abs(count)) == "one":
        return singular
    return plural_form if plural_form is not None else " ".join(f"{word}s" for word in singular.split(" "))


def counted(count: int, singular: str, plural_form: str | None = None) -> str:
    """A count and its word: « 1 place », « 0 place », « 12 places », « 1 234 personnes »."""
    return f"{number(count)} {plural(count, singular, plural_form)}"


def number(value: float, decimals: int | None = None) -> str:
    """A number the French way: « 1 234,5 » (a narrow no-break space between thousands)."""
    if decimals is not None:
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=LOCALE)
    return format_decimal(value, locale=LOCALE)


def percent(ratio: float, decimals: int = 0) -> str:
    """A share as a percentage: percent(0.62) → « 62 % » (no-break space before the sign)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "\u00a0%"
    return format_percent(ratio, format=pattern, locale=LOCALE)
