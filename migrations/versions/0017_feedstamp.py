"""feedstamp: a person's feed stamp, appended by triggers in the transaction of every change their feed shows

Revision ID: 0017_feedstamp
Revises: 0016_feedfast2

The triggers' SQL is copied here as it was released (tourplanner.calendar.feed_stamp holds the
code's own copy, for create_all): a released migration does not change with later code.
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0017_feedstamp"
down_revision = "0016_feedfast2"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = [
    "CREATE TRIGGER feed_changes_tours_after_update AFTER UPDATE ON tours FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT prescriber_id FROM bookings WHERE tour_id = NEW.id UNION SELECT users.id FROM bookings JOIN participants ON participants.booking_id = bookings.id JOIN users ON users.email = participants.email WHERE bookings.tour_id = NEW.id UNION SELECT user_id FROM ambassador_assignments WHERE tour_id = NEW.id UNION SELECT users.id FROM stops JOIN slots ON slots.id = stops.slot_id JOIN sites ON sites.id = slots.site_id JOIN users ON users.organisation_id = sites.organisation_id WHERE stops.tour_id = NEW.id); END",
    "CREATE TRIGGER feed_changes_tours_before_delete BEFORE DELETE ON tours FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT prescriber_id FROM bookings WHERE tour_id = OLD.id UNION SELECT users.id FROM bookings JOIN participants ON participants.booking_id = bookings.id JOIN users ON users.email = participants.email WHERE bookings.tour_id = OLD.id UNION SELECT user_id FROM ambassador_assignments WHERE tour_id = OLD.id UNION SELECT users.id FROM stops JOIN slots ON slots.id = stops.slot_id JOIN sites ON sites.id = slots.site_id JOIN users ON users.organisation_id = sites.organisation_id WHERE stops.tour_id = OLD.id); END",
    "CREATE TRIGGER feed_changes_bookings_after_insert AFTER INSERT ON bookings FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT NEW.prescriber_id UNION SELECT users.id FROM participants JOIN users ON users.email = participants.email WHERE participants.booking_id = NEW.id); END",
    "CREATE TRIGGER feed_changes_bookings_after_update AFTER UPDATE ON bookings FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT NEW.prescriber_id UNION SELECT users.id FROM participants JOIN users ON users.email = participants.email WHERE participants.booking_id = NEW.id UNION SELECT OLD.prescriber_id UNION SELECT users.id FROM participants JOIN users ON users.email = participants.email WHERE participants.booking_id = OLD.id); END",
    "CREATE TRIGGER feed_changes_bookings_after_delete AFTER DELETE ON bookings FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT OLD.prescriber_id UNION SELECT users.id FROM participants JOIN users ON users.email = participants.email WHERE participants.booking_id = OLD.id); END",
    "CREATE TRIGGER feed_changes_participants_after_insert AFTER INSERT ON participants FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT id FROM users WHERE email = NEW.email); END",
    "CREATE TRIGGER feed_changes_participants_after_update AFTER UPDATE ON participants FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT id FROM users WHERE email IN (NEW.email, OLD.email)); END",
    "CREATE TRIGGER feed_changes_participants_after_delete AFTER DELETE ON participants FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT id FROM users WHERE email = OLD.email); END",
    "CREATE TRIGGER feed_changes_ambassador_assignments_after_insert AFTER INSERT ON ambassador_assignments FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT NEW.user_id); END",
    "CREATE TRIGGER feed_changes_ambassador_assignments_after_update AFTER UPDATE ON ambassador_assignments FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT NEW.user_id UNION SELECT OLD.user_id); END",
    "CREATE TRIGGER feed_changes_ambassador_assignments_after_delete AFTER DELETE ON ambassador_assignments FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT OLD.user_id); END",
    "CREATE TRIGGER feed_changes_stops_after_insert AFTER INSERT ON stops FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT users.id FROM slots JOIN sites ON sites.id = slots.site_id JOIN users ON users.organisation_id = sites.organisation_id WHERE slots.id = NEW.slot_id); END",
    "CREATE TRIGGER feed_changes_stops_after_update AFTER UPDATE ON stops FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT users.id FROM slots JOIN sites ON sites.id = slots.site_id JOIN users ON users.organisation_id = sites.organisation_id WHERE slots.id = NEW.slot_id UNION SELECT users.id FROM slots JOIN sites ON sites.id = slots.site_id JOIN users ON users.organisation_id = sites.organisation_id WHERE slots.id = OLD.slot_id); END",
    "CREATE TRIGGER feed_changes_stops_after_delete AFTER DELETE ON stops FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT users.id FROM slots JOIN sites ON sites.id = slots.site_id JOIN users ON users.organisation_id = sites.organisation_id WHERE slots.id = OLD.slot_id); END",
    "CREATE TRIGGER feed_changes_slots_after_update AFTER UPDATE OF site_id ON slots FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT users.id FROM sites JOIN users ON users.organisation_id = sites.organisation_id WHERE sites.id IN (NEW.site_id, OLD.site_id)); END",
    "CREATE TRIGGER feed_changes_sites_after_update AFTER UPDATE OF organisation_id ON sites FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT id FROM users WHERE organisation_id IN (NEW.organisation_id, OLD.organisation_id)); END",
    "CREATE TRIGGER feed_changes_calendar_event_states_after_insert AFTER INSERT ON calendar_event_states FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT id FROM users WHERE email = NEW.recipient); END",
    "CREATE TRIGGER feed_changes_calendar_event_states_after_update AFTER UPDATE ON calendar_event_states FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT id FROM users WHERE email IN (NEW.recipient, OLD.recipient)); END",
    "CREATE TRIGGER feed_changes_calendar_event_states_after_delete AFTER DELETE ON calendar_event_states FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT id FROM users WHERE email = OLD.recipient); END",
    "CREATE TRIGGER feed_changes_calendar_tokens_after_insert AFTER INSERT ON calendar_tokens FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT NEW.user_id); END",
    "CREATE TRIGGER feed_changes_calendar_tokens_after_update AFTER UPDATE ON calendar_tokens FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT NEW.user_id UNION SELECT OLD.user_id); END",
    "CREATE TRIGGER feed_changes_users_after_update AFTER UPDATE OF name, email, role, organisation_id, is_active ON users FOR EACH ROW BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT NEW.id); END",
]

POSTGRESQL_TRIGGERS = [
    "CREATE FUNCTION feed_changes_tours_after_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT prescriber_id FROM bookings WHERE tour_id = NEW.id UNION SELECT users.id FROM bookings JOIN participants ON participants.booking_id = bookings.id JOIN users ON users.email = participants.email WHERE bookings.tour_id = NEW.id UNION SELECT user_id FROM ambassador_assignments WHERE tour_id = NEW.id UNION SELECT users.id FROM stops JOIN slots ON slots.id = stops.slot_id JOIN sites ON sites.id = slots.site_id JOIN users ON users.organisation_id = sites.organisation_id WHERE stops.tour_id = NEW.id); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_tours_after_update AFTER UPDATE ON tours FOR EACH ROW EXECUTE FUNCTION feed_changes_tours_after_update()",
    "CREATE FUNCTION feed_changes_tours_before_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT prescriber_id FROM bookings WHERE tour_id = OLD.id UNION SELECT users.id FROM bookings JOIN participants ON participants.booking_id = bookings.id JOIN users ON users.email = participants.email WHERE bookings.tour_id = OLD.id UNION SELECT user_id FROM ambassador_assignments WHERE tour_id = OLD.id UNION SELECT users.id FROM stops JOIN slots ON slots.id = stops.slot_id JOIN sites ON sites.id = slots.site_id JOIN users ON users.organisation_id = sites.organisation_id WHERE stops.tour_id = OLD.id); RETURN OLD; END $$",
    "CREATE TRIGGER feed_changes_tours_before_delete BEFORE DELETE ON tours FOR EACH ROW EXECUTE FUNCTION feed_changes_tours_before_delete()",
    "CREATE FUNCTION feed_changes_bookings_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT NEW.prescriber_id UNION SELECT users.id FROM participants JOIN users ON users.email = participants.email WHERE participants.booking_id = NEW.id); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_bookings_after_insert AFTER INSERT ON bookings FOR EACH ROW EXECUTE FUNCTION feed_changes_bookings_after_insert()",
    "CREATE FUNCTION feed_changes_bookings_after_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT NEW.prescriber_id UNION SELECT users.id FROM participants JOIN users ON users.email = participants.email WHERE participants.booking_id = NEW.id UNION SELECT OLD.prescriber_id UNION SELECT users.id FROM participants JOIN users ON users.email = participants.email WHERE participants.booking_id = OLD.id); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_bookings_after_update AFTER UPDATE ON bookings FOR EACH ROW EXECUTE FUNCTION feed_changes_bookings_after_update()",
    "CREATE FUNCTION feed_changes_bookings_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT OLD.prescriber_id UNION SELECT users.id FROM participants JOIN users ON users.email = participants.email WHERE participants.booking_id = OLD.id); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_bookings_after_delete AFTER DELETE ON bookings FOR EACH ROW EXECUTE FUNCTION feed_changes_bookings_after_delete()",
    "CREATE FUNCTION feed_changes_participants_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT id FROM users WHERE email = NEW.email); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_participants_after_insert AFTER INSERT ON participants FOR EACH ROW EXECUTE FUNCTION feed_changes_participants_after_insert()",
    "CREATE FUNCTION feed_changes_participants_after_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT id FROM users WHERE email IN (NEW.email, OLD.email)); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_participants_after_update AFTER UPDATE ON participants FOR EACH ROW EXECUTE FUNCTION feed_changes_participants_after_update()",
    "CREATE FUNCTION feed_changes_participants_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT id FROM users WHERE email = OLD.email); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_participants_after_delete AFTER DELETE ON participants FOR EACH ROW EXECUTE FUNCTION feed_changes_participants_after_delete()",
    "CREATE FUNCTION feed_changes_ambassador_assignments_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT NEW.user_id); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_ambassador_assignments_after_insert AFTER INSERT ON ambassador_assignments FOR EACH ROW EXECUTE FUNCTION feed_changes_ambassador_assignments_after_insert()",
    "CREATE FUNCTION feed_changes_ambassador_assignments_after_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT NEW.user_id UNION SELECT OLD.user_id); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_ambassador_assignments_after_update AFTER UPDATE ON ambassador_assignments FOR EACH ROW EXECUTE FUNCTION feed_changes_ambassador_assignments_after_update()",
    "CREATE FUNCTION feed_changes_ambassador_assignments_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT OLD.user_id); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_ambassador_assignments_after_delete AFTER DELETE ON ambassador_assignments FOR EACH ROW EXECUTE FUNCTION feed_changes_ambassador_assignments_after_delete()",
    "CREATE FUNCTION feed_changes_stops_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT users.id FROM slots JOIN sites ON sites.id = slots.site_id JOIN users ON users.organisation_id = sites.organisation_id WHERE slots.id = NEW.slot_id); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_stops_after_insert AFTER INSERT ON stops FOR EACH ROW EXECUTE FUNCTION feed_changes_stops_after_insert()",
    "CREATE FUNCTION feed_changes_stops_after_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT users.id FROM slots JOIN sites ON sites.id = slots.site_id JOIN users ON users.organisation_id = sites.organisation_id WHERE slots.id = NEW.slot_id UNION SELECT users.id FROM slots JOIN sites ON sites.id = slots.site_id JOIN users ON users.organisation_id = sites.organisation_id WHERE slots.id = OLD.slot_id); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_stops_after_update AFTER UPDATE ON stops FOR EACH ROW EXECUTE FUNCTION feed_changes_stops_after_update()",
    "CREATE FUNCTION feed_changes_stops_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT users.id FROM slots JOIN sites ON sites.id = slots.site_id JOIN users ON users.organisation_id = sites.organisation_id WHERE slots.id = OLD.slot_id); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_stops_after_delete AFTER DELETE ON stops FOR EACH ROW EXECUTE FUNCTION feed_changes_stops_after_delete()",
    "CREATE FUNCTION feed_changes_slots_after_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT users.id FROM sites JOIN users ON users.organisation_id = sites.organisation_id WHERE sites.id IN (NEW.site_id, OLD.site_id)); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_slots_after_update AFTER UPDATE OF site_id ON slots FOR EACH ROW EXECUTE FUNCTION feed_changes_slots_after_update()",
    "CREATE FUNCTION feed_changes_sites_after_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT id FROM users WHERE organisation_id IN (NEW.organisation_id, OLD.organisation_id)); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_sites_after_update AFTER UPDATE OF organisation_id ON sites FOR EACH ROW EXECUTE FUNCTION feed_changes_sites_after_update()",
    "CREATE FUNCTION feed_changes_calendar_event_states_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT id FROM users WHERE email = NEW.recipient); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_calendar_event_states_after_insert AFTER INSERT ON calendar_event_states FOR EACH ROW EXECUTE FUNCTION feed_changes_calendar_event_states_after_insert()",
    "CREATE FUNCTION feed_changes_calendar_event_states_after_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT id FROM users WHERE email IN (NEW.recipient, OLD.recipient)); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_calendar_event_states_after_update AFTER UPDATE ON calendar_event_states FOR EACH ROW EXECUTE FUNCTION feed_changes_calendar_event_states_after_update()",
    "CREATE FUNCTION feed_changes_calendar_event_states_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT id FROM users WHERE email = OLD.recipient); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_calendar_event_states_after_delete AFTER DELETE ON calendar_event_states FOR EACH ROW EXECUTE FUNCTION feed_changes_calendar_event_states_after_delete()",
    "CREATE FUNCTION feed_changes_calendar_tokens_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT NEW.user_id); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_calendar_tokens_after_insert AFTER INSERT ON calendar_tokens FOR EACH ROW EXECUTE FUNCTION feed_changes_calendar_tokens_after_insert()",
    "CREATE FUNCTION feed_changes_calendar_tokens_after_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT NEW.user_id UNION SELECT OLD.user_id); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_calendar_tokens_after_update AFTER UPDATE ON calendar_tokens FOR EACH ROW EXECUTE FUNCTION feed_changes_calendar_tokens_after_update()",
    "CREATE FUNCTION feed_changes_users_after_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO feed_changes (user_id, weight) SELECT DISTINCT user_id, 1 FROM calendar_tokens WHERE user_id IN (SELECT NEW.id); RETURN NULL; END $$",
    "CREATE TRIGGER feed_changes_users_after_update AFTER UPDATE OF name, email, role, organisation_id, is_active ON users FOR EACH ROW EXECUTE FUNCTION feed_changes_users_after_update()",
]

SQLITE_DROPS = [
    "DROP TRIGGER IF EXISTS feed_changes_tours_after_update",
    "DROP TRIGGER IF EXISTS feed_changes_tours_before_delete",
    "DROP TRIGGER IF EXISTS feed_changes_bookings_after_insert",
    "DROP TRIGGER IF EXISTS feed_changes_bookings_after_update",
    "DROP TRIGGER IF EXISTS feed_changes_bookings_after_delete",
    "DROP TRIGGER IF EXISTS feed_changes_participants_after_insert",
    "DROP TRIGGER IF EXISTS feed_changes_participants_after_update",
    "DROP TRIGGER IF EXISTS feed_changes_participants_after_delete",
    "DROP TRIGGER IF EXISTS feed_changes_ambassador_assignments_after_insert",
    "DROP TRIGGER IF EXISTS feed_changes_ambassador_assignments_after_update",
    "DROP TRIGGER IF EXISTS feed_changes_ambassador_assignments_after_delete",
    "DROP TRIGGER IF EXISTS feed_changes_stops_after_insert",
    "DROP TRIGGER IF EXISTS feed_changes_stops_after_update",
    "DROP TRIGGER IF EXISTS feed_changes_stops_after_delete",
    "DROP TRIGGER IF EXISTS feed_changes_slots_after_update",
    "DROP TRIGGER IF EXISTS feed_changes_sites_after_update",
    "DROP TRIGGER IF EXISTS feed_changes_calendar_event_states_after_insert",
    "DROP TRIGGER IF EXISTS feed_changes_calendar_event_states_after_update",
    "DROP TRIGGER IF EXISTS feed_changes_calendar_event_states_after_delete",
    "DROP TRIGGER IF EXISTS feed_changes_calendar_tokens_after_insert",
    "DROP TRIGGER IF EXISTS feed_changes_calendar_tokens_after_update",
    "DROP TRIGGER IF EXISTS feed_changes_users_after_update",
]

POSTGRESQL_DROPS = [
    "DROP TRIGGER IF EXISTS feed_changes_tours_after_update ON tours",
    "DROP FUNCTION IF EXISTS feed_changes_tours_after_update()",
    "DROP TRIGGER IF EXISTS feed_changes_tours_before_delete ON tours",
    "DROP FUNCTION IF EXISTS feed_changes_tours_before_delete()",
    "DROP TRIGGER IF EXISTS feed_changes_bookings_after_insert ON bookings",
    "DROP FUNCTION IF EXISTS feed_changes_bookings_after_insert()",
    "DROP TRIGGER IF EXISTS feed_changes_bookings_after_update ON bookings",
    "DROP FUNCTION IF EXISTS feed_changes_bookings_after_update()",
    "DROP TRIGGER IF EXISTS feed_changes_bookings_after_delete ON bookings",
    "DROP FUNCTION IF EXISTS feed_changes_bookings_after_delete()",
    "DROP TRIGGER IF EXISTS feed_changes_participants_after_insert ON participants",
    "DROP FUNCTION IF EXISTS feed_changes_participants_after_insert()",
    "DROP TRIGGER IF EXISTS feed_changes_participants_after_update ON participants",
    "DROP FUNCTION IF EXISTS feed_changes_participants_after_update()",
    "DROP TRIGGER IF EXISTS feed_changes_participants_after_delete ON participants",
    "DROP FUNCTION IF EXISTS feed_changes_participants_after_delete()",
    "DROP TRIGGER IF EXISTS feed_changes_ambassador_assignments_after_insert ON ambassador_assignments",
    "DROP FUNCTION IF EXISTS feed_changes_ambassador_assignments_after_insert()",
    "DROP TRIGGER IF EXISTS feed_changes_ambassador_assignments_after_update ON ambassador_assignments",
    "DROP FUNCTION IF EXISTS feed_changes_ambassador_assignments_after_update()",
    "DROP TRIGGER IF EXISTS feed_changes_ambassador_assignments_after_delete ON ambassador_assignments",
    "DROP FUNCTION IF EXISTS feed_changes_ambassador_assignments_after_delete()",
    "DROP TRIGGER IF EXISTS feed_changes_stops_after_insert ON stops",
    "DROP FUNCTION IF EXISTS feed_changes_stops_after_insert()",
    "DROP TRIGGER IF EXISTS feed_changes_stops_after_update ON stops",
    "DROP FUNCTION IF EXISTS feed_changes_stops_after_update()",
    "DROP TRIGGER IF EXISTS feed_changes_stops_after_delete ON stops",
    "DROP FUNCTION IF EXISTS feed_changes_stops_after_delete()",
    "DROP TRIGGER IF EXISTS feed_changes_slots_after_update ON slots",
    "DROP FUNCTION IF EXISTS feed_changes_slots_after_update()",
    "DROP TRIGGER IF EXISTS feed_changes_sites_after_update ON sites",
    "DROP FUNCTION IF EXISTS feed_changes_sites_after_update()",
    "DROP TRIGGER IF EXISTS feed_changes_calendar_event_states_after_insert ON calendar_event_states",
    "DROP FUNCTION IF EXISTS feed_changes_calendar_event_states_after_insert()",
    "DROP TRIGGER IF EXISTS feed_changes_calendar_event_states_after_update ON calendar_event_states",
    "DROP FUNCTION IF EXISTS feed_changes_calendar_event_states_after_update()",
    "DROP TRIGGER IF EXISTS feed_changes_calendar_event_states_after_delete ON calendar_event_states",
    "DROP FUNCTION IF EXISTS feed_changes_calendar_event_states_after_delete()",
    "DROP TRIGGER IF EXISTS feed_changes_calendar_tokens_after_insert ON calendar_tokens",
    "DROP FUNCTION IF EXISTS feed_changes_calendar_tokens_after_insert()",
    "DROP TRIGGER IF EXISTS feed_changes_calendar_tokens_after_update ON calendar_tokens",
    "DROP FUNCTION IF EXISTS feed_changes_calendar_tokens_after_update()",
    "DROP TRIGGER IF EXISTS feed_changes_users_after_update ON users",
    "DROP FUNCTION IF EXISTS feed_changes_users_after_update()",
]


def upgrade():
    op.create_table(
        "feed_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_feed_changes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_changes")),
    )
    with op.batch_alter_table("feed_changes", schema=None) as batch_op:
        batch_op.create_index("ix_feed_changes_user", ["user_id", "weight"], unique=False)
    triggers = SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else POSTGRESQL_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade():
    drops = SQLITE_DROPS if op.get_bind().dialect.name == "sqlite" else POSTGRESQL_DROPS
    for statement in drops:
        op.execute(statement)
    with op.batch_alter_table("feed_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_changes_user")
    op.drop_table("feed_changes")
