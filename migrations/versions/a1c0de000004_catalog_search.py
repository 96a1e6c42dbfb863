"""catalog: search and ingest

PostgreSQL: the GIN expression index becomes a stored, weighted tsvector column with a GIN
index, plus GIN indexes on titles, grades and stages (app.catalog.search). Both databases: an
index on the textbook edition, one for the newest-first listing, and
resources re-indexed so their subject's names (数学, math, ...) are search terms.

Revision ID: a1c0de000004
Revises: a1c0de000003
Create Date: 2026-11-29 12:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.core.models  # noqa: F401  (custom column types)
from app.catalog.search import (
    NEWEST_INDEX,
    PG_INDEX,
    PG_VECTOR_COLUMN,
    ensure_newest_index,
    ensure_search_index,
    search_terms,
)

# revision identifiers, used by Alembic.
revision = 'a1c0de000004'
down_revision = 'a1c0de000003'
branch_labels = None
depends_on = None

_OLD_PG_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_resource_search ON resource USING gin (("
    "setweight(to_tsvector('simple'::regconfig, coalesce(resource.search_title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(resource.search_body, '')), 'B')))"
)
_BATCH = 2000


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_edition'), ['edition'], unique=False)
    if bind.dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")  # the expression index it replaces
        ensure_search_index(bind)
    ensure_newest_index(bind)
    _reindex(bind)


def downgrade():
    bind = op.get_bind()
    op.execute(f"DROP INDEX IF EXISTS {NEWEST_INDEX}")
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_edition'))
    if bind.dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
        op.execute(f"ALTER TABLE resource DROP COLUMN IF EXISTS {PG_VECTOR_COLUMN}")
        op.execute(_OLD_PG_INDEX)


def _reindex(bind):
    resource = sa.table(
        "resource", sa.column("id", sa.Integer), sa.column("title", sa.String), sa.column("description", sa.Text),
        sa.column("chapter", sa.String), sa.column("edition", sa.String), sa.column("provider", sa.String),
        sa.column("subject", sa.String), sa.column("search_title", sa.Text), sa.column("search_body", sa.Text),
    )  # fmt: skip
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(resource.c.id, resource.c.title, resource.c.description, resource.c.chapter,
                      resource.c.edition, resource.c.provider, resource.c.subject)
            .where(resource.c.id > last_id).order_by(resource.c.id).limit(_BATCH)
        ).all()  # fmt: skip
        if not rows:
            return
        updates = []
        for row in rows:
            title, body = search_terms(row.title, row.description, row.chapter, row.edition, row.provider, row.subject)
            updates.append({"row_id": row.id, "title_terms": title, "body_terms": body})
        bind.execute(
            resource.update()
            .where(resource.c.id == sa.bindparam("row_id"))
            .values(search_title=sa.bindparam("title_terms"), search_body=sa.bindparam("body_terms")),
            updates,
        )
        last_id = rows[-1].id
