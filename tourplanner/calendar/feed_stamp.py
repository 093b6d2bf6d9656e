"""A person's feed stamp: moved by database triggers, in the transaction of every change their feed shows.

Every change a feed shows (a tour's row and its buses, pickup points, agenda, visits and cohort
sessions, a booking, a participant, an ambassador assignment, a slot or site, a sent state, a
feed token, a person's name, address, role or company) appends one row of weight 1 to
`feed_changes` for each person concerned who has a feed (a row in `calendar_tokens`) and each
tour concerned (`tour_id`, NULL when the change is not one tour's): a feed renders again the
tours its new rows name, and compares every tour's stamp only after a row naming none. The
person's stamp is the sum of their rows: it moves with every committed change and never comes
back to an earlier value, so a feed whose stamp and day are those of the client's ETag is
unchanged, and answers 304 without being read.

Triggers rather than calls in the domain verbs: the bookings path writes with Core statements
that no ORM event sees, and no future writer can forget them. Appended rows rather than a
counter updated in place: two transactions fanning out to the same people never wait on each
other (nor deadlock on PostgreSQL), and, unlike a max(id), a sum does not depend on the order
in which transactions commit. `compact` keeps each person's rows few, never changing the sum.

Migrations 0017_feedstamp and 0019_feedtour hold their own copies of this DDL (a released migration does not change
with the code); `install_on` attaches this one to the metadata for `create_all` (bench/feeds.py).
A SQLite migration that rebuilds one of these tables (batch_alter_table) drops its triggers:
it must create them again.
"""

from __future__ import annotations

from sqlalchemy import DDL, Connection, MetaData, delete, event, func, insert, select

from tourplanner.calendar.models import FeedChange


def _tour_people(tours: str) -> str:
    """The ids of the users whose feed shows one of the tours (`tours`, a SELECT of their ids): bookers and named
    participants of confirmed bookings (a feed shows confirmed seats only: a waiting or cancelled booking's people
    are told by their booking's own rows), ambassadors, contacts of the organisations whose sites the tours visit."""
    return (
        f"SELECT prescriber_id FROM bookings WHERE tour_id IN ({tours}) AND status = 'confirmed'"
        " UNION SELECT users.id FROM bookings JOIN participants ON participants.booking_id = bookings.id"
        f" JOIN users ON users.email = participants.email WHERE bookings.tour_id IN ({tours})"
        " AND bookings.status = 'confirmed'"
        f" UNION SELECT user_id FROM ambassador_assignments WHERE tour_id IN ({tours})"
        " UNION SELECT users.id FROM stops JOIN slots ON slots.id = stops.slot_id"
        " JOIN sites ON sites.id = slots.site_id JOIN users ON users.organisation_id = sites.organisation_id"
        f" WHERE stops.tour_id IN ({tours})"
    )


def _booking_people(row: str) -> str:
    return (
        f"SELECT {row}.prescriber_id UNION SELECT users.id FROM participants"
        f" JOIN users ON users.email = participants.email WHERE participants.booking_id = {row}.id"
    )


def _organisation_people(organisations: str) -> str:
    return f"SELECT id FROM users WHERE organisation_id IN ({organisations})"


def _visiting(slots: str) -> str:
    """The tours that visit one of the slots (a SELECT of their ids)."""
    return f"SELECT tour_id FROM stops WHERE slot_id IN ({slots})"


#: The tours a change concerns, as a SELECT of one column `tour_id` (one row at least: NULL when no one tour).
_NEW, _OLD, _BOTH = (
    "SELECT NEW.tour_id AS tour_id",
    "SELECT OLD.tour_id AS tour_id",
    "SELECT NEW.tour_id AS tour_id UNION SELECT OLD.tour_id",
)
_NO_TOUR = "SELECT CAST(NULL AS INTEGER) AS tour_id"
#: A booking's tour, when the booking holds seats (before or after the change).
_CONFIRMED_NEW = "SELECT NEW.tour_id WHERE NEW.status = 'confirmed'"
_CONFIRMED_OLD = "SELECT OLD.tour_id WHERE OLD.status = 'confirmed'"


def _booking_tour(row: str) -> str:
    # A scalar subquery: a row even when the booking is gone (its participants deleted after it).
    return f"SELECT (SELECT tour_id FROM bookings WHERE id = {row}.booking_id) AS tour_id"


def _of_tour_rows(table: str) -> tuple[tuple[str, str, str, str], ...]:
    """A table whose rows belong to a tour (`tour_id`) and are shown in its events: any change concerns its people."""
    return (
        (table, "AFTER INSERT", _tour_people("SELECT NEW.tour_id"), _NEW),
        (table, "AFTER UPDATE", _tour_people("SELECT NEW.tour_id UNION SELECT OLD.tour_id"), _BOTH),
        (table, "AFTER DELETE", _tour_people("SELECT OLD.tour_id"), _OLD),
    )


#: (table, timing and event, who is concerned, which tours): every change a feed shows (see `TourData` and
#: `events`). Each person concerned gets a row per tour concerned (`feed_changes.tour_id`), or one row without a
#: tour when the change is not one tour's (a slot, a site, a person, a token): a feed knows from its new rows
#: which tours to render again (see `feed_cache.EventCache`), and compares every tour's stamp only after a change
#: without a tour.
TRIGGERS: tuple[tuple[str, str, str, str], ...] = (
    ("tours", "AFTER UPDATE", _tour_people("SELECT NEW.id"), "SELECT NEW.id AS tour_id"),
    # Before: the tour's people are still there to be found (its rows go first, each with its trigger).
    ("tours", "BEFORE DELETE", _tour_people("SELECT OLD.id"), "SELECT OLD.id AS tour_id"),
    # A booking: its people (even once it has left the tour), and, when it holds seats, the others of its tour (a
    # group's size); a booking waiting changes no one else's feed (on the day bookings open, most of them).
    (
        "bookings",
        "AFTER INSERT",
        f"{_booking_people('NEW')} UNION {_tour_people(_CONFIRMED_NEW)}",
        _NEW,
    ),
    (
        "bookings",
        "AFTER UPDATE",
        f"{_booking_people('NEW')} UNION {_booking_people('OLD')}"
        f" UNION {_tour_people(f'{_CONFIRMED_NEW} UNION {_CONFIRMED_OLD}')}",
        _BOTH,
    ),
    ("bookings", "AFTER DELETE", f"{_booking_people('OLD')} UNION {_tour_people(_CONFIRMED_OLD)}", _OLD),
    ("participants", "AFTER INSERT", "SELECT id FROM users WHERE email = NEW.email", _booking_tour("NEW")),
    (
        "participants",
        "AFTER UPDATE",
        "SELECT id FROM users WHERE email IN (NEW.email, OLD.email)",
        f"{_booking_tour('NEW')} UNION {_booking_tour('OLD')}",
    ),
    ("participants", "AFTER DELETE", "SELECT id FROM users WHERE email = OLD.email", _booking_tour("OLD")),
    ("ambassador_assignments", "AFTER INSERT", "SELECT NEW.user_id", _NEW),
    ("ambassador_assignments", "AFTER UPDATE", "SELECT NEW.user_id UNION SELECT OLD.user_id", _BOTH),
    ("ambassador_assignments", "AFTER DELETE", "SELECT OLD.user_id", _OLD),
    *_of_tour_rows("buses"),
    *_of_tour_rows("tour_pickup_points"),
    *_of_tour_rows("agenda_items"),
    # A cohort's weekly rule and sessions (its recurring event).
    *_of_tour_rows("cohort_series"),
    *_of_tour_rows("cohort_sessions"),
    # A visit: the tour's people (their programme), and its company's contacts (also once it has left).
    ("stops", "AFTER INSERT", _tour_people("SELECT NEW.tour_id"), _NEW),
    ("stops", "AFTER UPDATE", _tour_people("SELECT NEW.tour_id UNION SELECT OLD.tour_id"), _BOTH),
    (
        "stops",
        "AFTER DELETE",
        f"{_tour_people('SELECT OLD.tour_id')} UNION "
        + _organisation_people(
            "SELECT sites.organisation_id FROM slots JOIN sites ON sites.id = slots.site_id"
            " WHERE slots.id = OLD.slot_id"
        ),
        _OLD,
    ),
    # A slot's times or site, a site's name, address or company: the tours visiting them, and the companies.
    (
        "slots",
        "AFTER UPDATE",
        f"{_tour_people(_visiting('SELECT NEW.id'))} UNION "
        + _organisation_people("SELECT organisation_id FROM sites WHERE id IN (NEW.site_id, OLD.site_id)"),
        _NO_TOUR,
    ),
    (
        "sites",
        "AFTER UPDATE",
        f"{_tour_people(_visiting('SELECT id FROM slots WHERE site_id = NEW.id'))} UNION "
        + _organisation_people("SELECT NEW.organisation_id UNION SELECT OLD.organisation_id"),
        _NO_TOUR,
    ),
    ("calendar_event_states", "AFTER INSERT", "SELECT id FROM users WHERE email = NEW.recipient", _NEW),
    (
        "calendar_event_states",
        "AFTER UPDATE",
        "SELECT id FROM users WHERE email IN (NEW.recipient, OLD.recipient)",
        _BOTH,
    ),
    ("calendar_event_states", "AFTER DELETE", "SELECT id FROM users WHERE email = OLD.recipient", _OLD),
    ("calendar_tokens", "AFTER INSERT", "SELECT NEW.user_id", _NO_TOUR),
    ("calendar_tokens", "AFTER UPDATE", "SELECT NEW.user_id UNION SELECT OLD.user_id", _NO_TOUR),
    # A person's row: their own feed, and the feeds that show their name (their bookings' and rides' tours,
    # their company's visits).
    (
        "users",
        "AFTER UPDATE OF name, email, role, organisation_id, is_active",
        "SELECT NEW.id UNION "
        + _tour_people(
            "SELECT tour_id FROM bookings WHERE prescriber_id = NEW.id"
            " UNION SELECT tour_id FROM ambassador_assignments WHERE user_id = NEW.id"
            " UNION SELECT stops.tour_id FROM stops JOIN slots ON slots.id = stops.slot_id"
            " JOIN sites ON sites.id = slots.site_id WHERE sites.organisation_id IN (NEW.organisation_id,"
            " OLD.organisation_id)"
        ),
        _NO_TOUR,
    ),
)


def _name(table: str, when: str) -> str:
    words = when.lower().replace(",", "").split()
    return f"feed_changes_{table}_{words[0]}_{words[1]}"


def _append(people: str, tours: str) -> str:
    # Only people who have a feed; each once per tour however many ways the change concerns them.
    return (
        "INSERT INTO feed_changes (user_id, weight, tour_id) SELECT DISTINCT calendar_tokens.user_id, 1,"
        f" concerned.tour_id FROM calendar_tokens, ({tours}) AS concerned WHERE calendar_tokens.user_id IN ({people});"
    )


def create_statements(dialect: str) -> list[str]:
    """The DDL creating the triggers on this dialect ("sqlite" or "postgresql")."""
    statements = []
    for table, when, people, tours in TRIGGERS:
        name = _name(table, when)
        if dialect == "sqlite":
            statements.append(
                f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW BEGIN {_append(people, tours)} END"
            )
        else:
            result = "OLD" if when.startswith("BEFORE DELETE") else "NULL"
            statements.append(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {_append(people, tours)}"
                f" RETURN {result}; END $$"
            )
            statements.append(f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")
    return statements


def drop_statements(dialect: str) -> list[str]:
    """The DDL dropping the triggers on this dialect."""
    statements = []
    for table, when, _people, _tours in TRIGGERS:
        name = _name(table, when)
        if dialect == "sqlite":
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
        else:
            statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            statements.append(f"DROP FUNCTION IF EXISTS {name}()")
    return statements


def install_on(metadata: MetaData) -> None:
    """Create the triggers after `metadata.create_all` made the tables (the migrations create their own)."""
    for dialect in ("sqlite", "postgresql"):
        for statement in create_statements(dialect):
            # DDL formats with %: the SQL holds none but must not be read as a format.
            event.listen(metadata, "after_create", DDL(statement.replace("%", "%%")).execute_if(dialect=dialect))


def compact(connection: Connection, user_id: int) -> int:
    """Fold the person's rows into one with the same sum; returns how many rows were folded.

    The rows summed are exactly those deleted (DELETE … RETURNING), so a change committed
    meanwhile by another transaction stays as its own row: the sum is never changed.
    """
    weights = connection.execute(
        delete(FeedChange).where(FeedChange.user_id == user_id).returning(FeedChange.weight)
    ).scalars()
    folded = list(weights)
    if folded:
        connection.execute(insert(FeedChange).values(user_id=user_id, weight=sum(folded)))
    return len(folded)


def crowded(connection: Connection, min_rows: int) -> list[int]:
    """The people with at least `min_rows` rows of changes."""
    return list(
        connection.execute(
            select(FeedChange.user_id).group_by(FeedChange.user_id).having(func.count() >= min_rows)
        ).scalars()
    )
