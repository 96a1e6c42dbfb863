"""Search terms for Chinese + English, checked against real SQLite FTS5 and PostgreSQL indexes."""

from __future__ import annotations

import os
import sqlite3

import pytest

from courses.catalogs import load_sample
from courses.search_text import fold_text, fts5_match, index_terms, index_text, query_terms, tsquery_text

EXTRA_DOCS = [
    ("Quadratic functions and their graphs", "Completing the square; the vertex form."),
    ("Solving quadratic equations", "Factorising, the quadratic formula."),
    ("二次函數的圖像", "繁体字的课程简介：函數與方程。"),
    ("圆", "垂径定理"),
]


def test_chinese_text_becomes_characters_and_bigrams_and_english_lower_case_words():
    assert index_terms("数学 Quadratic") == ["数", "学", "数学", "quadratic"]
    assert index_terms("一元二次方程") == ["一", "元", "二", "次", "方", "程", "一元", "元二", "二次", "次方", "方程"]
    assert index_terms("ＭＡＴＨ，數學！") == ["math", "数", "学", "数学"]


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("数学", ["数学"]),
        ("函数", ["函数"]),
        ("方程", ["方程"]),
        ("一元二次方程", ["一元", "元二", "二次", "次方", "方程"]),
        ("Quadratic", ["quadratic"]),
        ("圆", ["圆"]),
        ("數學 Unit 3", ["数学", "unit", "3"]),
        ("二次 二次", ["二次"]),
        ("！？", []),
    ],
)
def test_query_terms(query, terms):
    assert query_terms(query) == terms


def test_match_expressions_quote_every_term():
    assert fts5_match('函数 "OR" quadratic') == '"函数" AND "or" AND "quadratic"'
    assert tsquery_text("函数图像") == "'函数' & '数图' & '图像'"
    assert fts5_match("...") is None


def corpus() -> list[tuple[str, str]]:
    records = load_sample()
    return [(r.title, r.description) for r in records] + EXTRA_DOCS


QUERIES = ["数学", "函数", "方程", "quadratic", "圆", "二次函数", "數學", "Quadratic equations"]


def expected_rows(docs, query) -> set[int]:
    """Brute force: every query word is a substring of the folded document."""
    words = fold_text(query).split()
    return {i for i, (title, body) in enumerate(docs, start=1) if all(w in fold_text(f"{title} {body}") for w in words)}


def test_sqlite_fts5_unicode61_over_bigrams_finds_what_a_substring_scan_finds():
    docs = corpus()
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE lessons USING fts5(terms, tokenize='unicode61')")
    db.executemany(
        "INSERT INTO lessons(rowid, terms) VALUES (?, ?)", [(i, index_text(*d)) for i, d in enumerate(docs, 1)]
    )

    for query in QUERIES:
        found = {row[0] for row in db.execute("SELECT rowid FROM lessons WHERE lessons MATCH ?", (fts5_match(query),))}
        assert found == expected_rows(docs, query), query
        assert found, query


def _postgres_url():
    url = os.environ.get("KEXU_TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
    return url.replace("postgresql+psycopg://", "postgresql://")


def test_postgresql_tsvector_over_bigrams_finds_what_a_substring_scan_finds():
    psycopg = pytest.importorskip("psycopg")
    try:
        connection = psycopg.connect(_postgres_url(), connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL on 127.0.0.1")
    docs = corpus()
    with connection, connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE lessons (id int PRIMARY KEY, terms tsvector)")
        cursor.executemany(
            "INSERT INTO lessons VALUES (%s, to_tsvector('simple', %s))",
            [(i, index_text(*d)) for i, d in enumerate(docs, 1)],
        )
        for query in QUERIES:
            cursor.execute("SELECT id FROM lessons WHERE terms @@ to_tsquery('simple', %s)", (tsquery_text(query),))
            assert {row[0] for row in cursor.fetchall()} == expected_rows(docs, query), query
