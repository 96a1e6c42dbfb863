"""The catalog's full-text index: its schema objects on each database and each resource's terms.

Resources carry their index terms (courses.search_text: CJK characters and bigrams, English
words) in ``search_title`` and ``search_body``. SQLite indexes them in an FTS5 ``unicode61``
table kept in sync by triggers; PostgreSQL in GIN indexes over a stored weighted ``tsvector``
column. Querying the index is app.catalog.search; docs/catalog-search.md explains the choice.
"""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy import event

from app.catalog.models import Resource
from courses import search_text, vocab

FTS_TABLE = "resource_fts"
# PostgreSQL: the weighted vector is a stored generated column (titles weight A, the rest B) with a
# GIN index, so neither matching nor ranking recomputes to_tsvector per row.
PG_VECTOR_COLUMN = "search_vector"
PG_INDEX = "ix_resource_search"
PG_VECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, coalesce(search_title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(search_body, '')), 'B'))"
)
# Titles alone, so the title matches of a common word are found without reading every match.
PG_TITLE_INDEX = "ix_resource_search_title"
PG_TITLE_VECTOR = "to_tsvector('simple'::regconfig, coalesce(search_title, ''))"
_PG_DDL = (
    f"ALTER TABLE resource ADD COLUMN IF NOT EXISTS {PG_VECTOR_COLUMN} tsvector "
    f"GENERATED ALWAYS AS ({PG_VECTOR}) STORED",
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON resource USING gin ({PG_VECTOR_COLUMN})",
    f"CREATE INDEX IF NOT EXISTS {PG_TITLE_INDEX} ON resource USING gin (({PG_TITLE_VECTOR}))",
    # The grade and stage filters (_list_contains) combine with the text index (BitmapAnd).
    "CREATE INDEX IF NOT EXISTS ix_resource_grades ON resource USING gin ((grades::jsonb) jsonb_path_ops)",
    "CREATE INDEX IF NOT EXISTS ix_resource_stages ON resource USING gin ((stages::jsonb) jsonb_path_ops)",
)
PG_LIST_INDEXES = ("ix_resource_grades", "ix_resource_stages")

# The newest-first listing (an empty query, sort "newest") reads this index instead of sorting the
# school's whole catalog. PostgreSQL needs the NULLS LAST spelled out; SQLite's DESC already puts
# NULLs last and its CREATE INDEX does not accept the words, so the models cannot declare it.
NEWEST_INDEX = "ix_resource_newest"
_NEWEST_COLUMNS = {
    "postgresql": "school_id, withdrawn, source_updated_at DESC NULLS LAST, id DESC",
    "sqlite": "school_id, withdrawn, source_updated_at DESC, id DESC",
}

_SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(search_title, search_body, "
    "content='resource', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON resource BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_title, search_body) VALUES (new.id, new.search_title, new.search_body); "
    "END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON resource BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_title, search_body) "
    "VALUES ('delete', old.id, old.search_title, old.search_body); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF search_title, search_body ON resource BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_title, search_body) "
    "VALUES ('delete', old.id, old.search_title, old.search_body); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_title, search_body) VALUES (new.id, new.search_title, new.search_body); "
    "END",
)


def ensure_search_index(connection) -> None:
    """Create the full-text index for the connection's dialect (idempotent; callable from a migration).

    SQLite: an external-content FTS5 table over resource(search_title, search_body) and the
    triggers that keep it in step, then a rebuild so existing rows are indexed.
    PostgreSQL: the stored weighted tsvector column and its GIN index.
    """
    dialect = connection.dialect.name
    ensure_newest_index(connection)
    if dialect == "sqlite":
        for statement in _SQLITE_DDL:
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    elif dialect == "postgresql":
        for statement in _PG_DDL:
            connection.exec_driver_sql(statement)


def ensure_newest_index(connection) -> None:
    if columns := _NEWEST_COLUMNS.get(connection.dialect.name):
        connection.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {NEWEST_INDEX} ON resource ({columns})")


def drop_search_index(connection) -> None:
    connection.exec_driver_sql(f"DROP INDEX IF EXISTS {NEWEST_INDEX}")
    if connection.dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{suffix}")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {PG_INDEX}")
        for name in (PG_TITLE_INDEX, *PG_LIST_INDEXES):
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        connection.exec_driver_sql(f"ALTER TABLE resource DROP COLUMN IF EXISTS {PG_VECTOR_COLUMN}")


# metadata.create_all (tests, `flask demo`) builds the index with the table.
event.listen(Resource.__table__, "after_create", lambda target, connection, **kw: ensure_search_index(connection))
event.listen(Resource.__table__, "before_drop", lambda target, connection, **kw: drop_search_index(connection))


def plain_text(markup: str | None) -> str:
    return Markup(markup or "").striptags()


def subject_names(subject: str | None) -> str:
    """Every name of a subject code ("math" -> 数学 math maths mathematics shuxue), so searching
    the subject's name finds its resources even when their titles do not say it."""
    return " ".join(vocab.SUBJECTS.get(subject or "", ()))


def search_terms(title, description, chapter, edition, provider, subject) -> tuple[str, str]:
    """(search_title, search_body) for a resource's displayed fields (description as sanitized HTML)."""
    body = search_text.index_text(plain_text(description), chapter, edition, provider, subject_names(subject))
    return search_text.index_text(title), body


def index_resource(resource: Resource) -> None:
    """Refresh a resource's search terms from its displayed fields (call after changing them)."""
    resource.search_title, resource.search_body = search_terms(
        resource.title, resource.description, resource.chapter, resource.edition, resource.provider, resource.subject
    )


def is_search_index_object(name: str, type_: str) -> bool:
    """Schema objects `ensure_search_index` adds that the models do not describe.

    Alembic's autogenerate (migrations/env.py) and the migration test skip them.
    """
    return (
        (type_ == "table" and name.startswith(FTS_TABLE))
        or (type_ == "index" and name in (PG_INDEX, PG_TITLE_INDEX, NEWEST_INDEX, *PG_LIST_INDEXES))
        or (type_ == "column" and name == PG_VECTOR_COLUMN)
    )
