"""SQLite as the live server runs it (app/live/server.py): every transaction takes the write lock
at BEGIN, so two writers whose reads overlap wait for each other instead of one failing with
"database is locked", and savepoints nest inside the event's transaction.

These use a SQLite file of their own, whichever database the rest of the suite runs on."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, text

from app.live.server import sqlite_transactions


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'live.db'}")
    sqlite_transactions(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE seat (id INTEGER PRIMARY KEY, taken_by TEXT)"))
    yield engine
    engine.dispose()


def test_two_writers_whose_reads_overlap_both_commit(engine):
    """The first reads (inside a savepoint, as a join does), the second writes and commits
    meanwhile, the first then writes: without the lock taken at BEGIN the first fails at once
    with "database is locked" (its snapshot is outdated; busy_timeout does not wait for that)."""
    first_has_read, errors = threading.Event(), []

    def second_writer():
        first_has_read.wait(10)
        try:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO seat (taken_by) VALUES ('second tab')"))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    other = threading.Thread(target=second_writer)
    other.start()
    with engine.begin() as conn, conn.begin_nested():
        seen = conn.execute(text("SELECT count(*) FROM seat")).scalar()
        first_has_read.set()
        other.join(0.5)  # the second writer has its chance to commit first
        conn.execute(text("INSERT INTO seat (taken_by) VALUES ('first tab')"))
    other.join(10)

    assert errors == []
    assert seen == 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT taken_by FROM seat ORDER BY id")).scalars().all() == [
            "first tab",
            "second tab",
        ]


def test_a_savepoint_released_early_is_undone_with_its_transaction(engine):
    """pysqlite's own handling lets a SAVEPOINT begin the transaction, and its RELEASE commits."""
    with engine.connect() as conn:
        transaction = conn.begin()
        conn.execute(text("SELECT count(*) FROM seat"))
        with conn.begin_nested():
            conn.execute(text("INSERT INTO seat (taken_by) VALUES ('undone')"))
        transaction.rollback()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM seat")).scalar() == 0


def test_a_failed_insert_in_a_savepoint_keeps_the_transaction(engine):
    """The presence pattern: a unique insert fails inside a savepoint, the event goes on."""
    with engine.begin() as conn:
        conn.execute(text("CREATE UNIQUE INDEX seat_once ON seat (taken_by)"))
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO seat (taken_by) VALUES ('tab')"))
    with engine.begin() as conn:
        with pytest.raises(Exception, match="UNIQUE"), conn.begin_nested():
            conn.execute(text("INSERT INTO seat (taken_by) VALUES ('tab')"))
        conn.execute(text("UPDATE seat SET taken_by = 'tab, continued' WHERE taken_by = 'tab'"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT taken_by FROM seat")).scalars().all() == ["tab, continued"]


def test_the_catalogs_full_text_triggers_follow_savepoints(tmp_path):
    """Pages served by the same process search the catalog: its FTS5 index is kept by triggers,
    which must roll back with a savepoint and commit with the transaction."""
    from app.catalog.search import FTS_TABLE, ensure_search_index

    engine = create_engine(f"sqlite:///{tmp_path / 'catalog.db'}")
    sqlite_transactions(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE resource (id INTEGER PRIMARY KEY, school_id INTEGER, withdrawn BOOLEAN, "
                "source_updated_at DATETIME, search_title TEXT, search_body TEXT)"
            )
        )
        ensure_search_index(conn)
    with engine.begin() as conn:
        insert = text("INSERT INTO resource (school_id, withdrawn, search_title, search_body) VALUES (1, 0, :t, '')")
        conn.execute(insert, {"t": "fractions"})
        with pytest.raises(RuntimeError), conn.begin_nested():
            conn.execute(insert, {"t": "decimals"})
            raise RuntimeError("the row is refused")
    with engine.connect() as conn:
        found = text(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m")
        assert conn.execute(found, {"m": "fractions"}).scalar() == 1
        assert conn.execute(found, {"m": "decimals"}).scalar() == 0
    engine.dispose()
