"""auth: session stamps, queued sign-in requests, hashed calendar tokens, redacted mail

Revision ID: 0002_auth
Revises: 0001
Create Date: 2026-11-30 01:00:00

- users.session_stamp: a session must carry it; a new stamp ends every session of the user.
- login_requests: sign-in link requests waiting to be handled after the answer.
- calendar_tokens: the secret is no longer stored, only its SHA-256 digest (token_hash), with
  the user's feed version it was derived for. Existing tokens keep working: their digest is
  computed here (version 0 marks them as not derivable; the pages then show a new version).
- outbox_mails.redacted_text: replaces the body once a mail holding a secret has left.
"""
import hashlib
import secrets

from alembic import op
import sqlalchemy as sa

import tourplanner.db


# revision identifiers, used by Alembic.
revision = '0002_auth'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_stamp', sa.String(length=32), nullable=True))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('session_stamp', sa.String))
    for (user_id,) in conn.execute(sa.select(users.c.id)).all():
        conn.execute(users.update().where(users.c.id == user_id).values(session_stamp=secrets.token_hex(16)))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_stamp', existing_type=sa.String(length=32), nullable=False)

    op.create_table('login_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('created_at', tourplanner.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_requests'))
    )

    with op.batch_alter_table('calendar_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='0', nullable=False))
    tokens = sa.table('calendar_tokens', sa.column('id', sa.Integer), sa.column('token', sa.String),
                      sa.column('token_hash', sa.String))
    for token_id, token in conn.execute(sa.select(tokens.c.id, tokens.c.token)).all():
        digest = hashlib.sha256(token.encode()).hexdigest()
        conn.execute(tokens.update().where(tokens.c.id == token_id).values(token_hash=digest))
    with op.batch_alter_table('calendar_tokens', schema=None) as batch_op:
        batch_op.alter_column('token_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_calendar_tokens_token'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_calendar_tokens_token_hash'), ['token_hash'])
        batch_op.drop_column('token')

    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redacted_text', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.drop_column('redacted_text')

    # The secrets were never stored: the feed URLs of before cannot come back, so the tokens go.
    op.execute(sa.text('DELETE FROM calendar_tokens'))
    with op.batch_alter_table('calendar_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token', sa.String(length=64), nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_calendar_tokens_token_hash'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_calendar_tokens_token'), ['token'])
        batch_op.drop_column('version')
        batch_op.drop_column('token_hash')

    op.drop_table('login_requests')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_stamp')
