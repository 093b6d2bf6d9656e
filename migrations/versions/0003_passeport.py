"""passeport, trades and reverse visits: site fields for the passeport, trades by ROME code, a tour's host

Revision ID: 0003_passeport
Revises: 0002_auth
Create Date: 2026-11-30 01:00:00

The sites' free-text trades stay as the company wrote them; each line that starts with a
ROME code of the referential (or is exactly a referential label) becomes a site_trades row.
"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = '0003_passeport'
down_revision = '0002_auth'
branch_labels = None
depends_on = None

CODE = re.compile(r"^([A-N]\d{4})\b")


def _fold(text):
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(plain.lower().replace("’", "'").split())


def upgrade():
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('how_to_apply', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('visitor_contacts', sa.Text(), nullable=True))

    with op.batch_alter_table('tours', schema=None) as batch_op:
        batch_op.add_column(sa.Column('host_organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_tours_host_organisation_id'), ['host_organisation_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_tours_host_organisation_id_organisations'), 'organisations', ['host_organisation_id'], ['id']
        )

    op.create_table('site_trades',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('rome_code', sa.String(length=5), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_site_trades_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_trades')),
    sa.UniqueConstraint('site_id', 'rome_code', name=op.f('uq_site_trades_site_id_rome_code'))
    )
    with op.batch_alter_table('site_trades', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_trades_rome_code'), ['rome_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_site_trades_site_id'), ['site_id'], unique=False)

    op.create_table('tour_trades',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tour_id', sa.Integer(), nullable=False),
    sa.Column('rome_code', sa.String(length=5), nullable=False),
    sa.ForeignKeyConstraint(['tour_id'], ['tours.id'], name=op.f('fk_tour_trades_tour_id_tours'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tour_trades')),
    sa.UniqueConstraint('tour_id', 'rome_code', name=op.f('uq_tour_trades_tour_id_rome_code'))
    )
    with op.batch_alter_table('tour_trades', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tour_trades_rome_code'), ['rome_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_tour_trades_tour_id'), ['tour_id'], unique=False)

    _tag_existing_sites()


def _tag_existing_sites():
    """Map the sites' free-text trade lines to ROME codes of the shipped referential."""
    from tourplanner.trades.referential import load

    referential = load()
    by_label = {_fold(t.label): t.code for t in referential.trades.values()}
    conn = op.get_bind()
    sites = sa.table('sites', sa.column('id', sa.Integer), sa.column('trades', sa.Text))
    site_trades = sa.table('site_trades', sa.column('site_id', sa.Integer), sa.column('rome_code', sa.String))
    rows = []
    for site_id, text in conn.execute(sa.select(sites.c.id, sites.c.trades)):
        codes = []
        for line in (text or "").splitlines():
            line = line.strip()
            match = CODE.match(line)
            code = match.group(1) if match else by_label.get(_fold(line))
            if code in referential.trades and code not in codes:
                codes.append(code)
        rows += [{"site_id": site_id, "rome_code": code} for code in codes]
    if rows:
        op.bulk_insert(site_trades, rows)


def downgrade():
    with op.batch_alter_table('tour_trades', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tour_trades_tour_id'))
        batch_op.drop_index(batch_op.f('ix_tour_trades_rome_code'))
    op.drop_table('tour_trades')
    with op.batch_alter_table('site_trades', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_trades_site_id'))
        batch_op.drop_index(batch_op.f('ix_site_trades_rome_code'))
    op.drop_table('site_trades')
    with op.batch_alter_table('tours', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tours_host_organisation_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_tours_host_organisation_id'))
        batch_op.drop_column('host_organisation_id')
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_column('visitor_contacts')
        batch_op.drop_column('how_to_apply')
