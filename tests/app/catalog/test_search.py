"""Catalog search on SQLite FTS5 and PostgreSQL tsvector: Chinese, English, filters, sorting, odd queries."""

from __future__ import annotations

import pytest

from app.catalog.harvest import harvest_source
from app.catalog.search import search_resources
from app.extensions import db
from tests.app.catalog.conftest import feed, lesson

JSON = "application/json"
ITEMS = [
    lesson("a", "二次函数的图像", subject="数学", grades=["九年级"], edition="人教版", duration=20,
           description="A lesson on graphs of quadratic functions", updated="2020-02-17"),
    lesson("b", "一元二次方程", subject="数学", grades=["九年级"], edition="北师大版", duration=45,
           description="复习二次函数与方程的关系", updated="2020-03-01"),
    lesson("c", "Reading: my school day", subject="英语", grades=["七年级"], duration=30, updated="2020-02-20",
           media_type="courseware", description="English reading practice"),
    lesson("d", "數學史話", subject="数学", stages=["高中"], duration=15, updated="2020-02-18"),
    lesson("e", "函数 graph 综合练习", subject="数学", grades=["高一"], duration=90, updated="2020-01-01"),
]  # fmt: skip


@pytest.fixture
def catalog(feed_server, make_catalog_source, people):
    source = make_catalog_source(feed_server.route("/f", feed(ITEMS), JSON), school_unit=people.school)
    harvest_source(source)
    db.session.commit()
    return people


def titles(page):
    return [resource.title for resource in page.items]


def test_two_character_chinese_words_match(catalog):
    assert set(titles(search_resources(catalog.teacher, "函数", {}, None, 1, 20))) == {
        "二次函数的图像", "一元二次方程", "函数 graph 综合练习"
    }  # fmt: skip
    assert titles(search_resources(catalog.teacher, "方程", {}, None, 1, 20)) == ["一元二次方程"]
    assert titles(search_resources(catalog.teacher, "数学", {}, None, 1, 20))[0] == "數學史話"  # traditional folds


def test_a_subject_name_finds_the_subjects_resources_with_title_matches_first(catalog):
    maths = {"二次函数的图像", "一元二次方程", "數學史話", "函数 graph 综合练习"}
    page = search_resources(catalog.teacher, "数学", {}, None, 1, 20)
    assert set(titles(page)) == maths and titles(page)[0] == "數學史話"
    assert set(titles(search_resources(catalog.teacher, "math", {}, None, 1, 20))) == maths
    assert titles(search_resources(catalog.teacher, "英语", {}, None, 1, 20)) == ["Reading: my school day"]
    assert titles(search_resources(catalog.teacher, "English", {"subject": "math"}, None, 1, 20)) == []


def test_title_matches_rank_before_description_matches(catalog):
    page = search_resources(catalog.teacher, "二次函数", {}, "relevance", 1, 20)
    assert titles(page)[0] == "二次函数的图像" and titles(page)[-1] == "一元二次方程"


def test_english_and_mixed_queries(catalog):
    assert titles(search_resources(catalog.teacher, "READING", {}, None, 1, 20)) == ["Reading: my school day"]
    assert titles(search_resources(catalog.teacher, "函数 graph", {}, None, 1, 20))[0] == "函数 graph 综合练习"


def test_filters_and_sorts(catalog):
    teacher = catalog.teacher
    assert titles(search_resources(teacher, "", {"grade": "初三", "edition": "人民教育出版社"}, None, 1, 20)) == [
        "二次函数的图像"
    ]
    assert titles(search_resources(teacher, "", {"stage": "senior"}, "shortest", 1, 20)) == [
        "數學史話",
        "函数 graph 综合练习",
    ]
    assert titles(search_resources(teacher, "", {"media_type": "课件"}, None, 1, 20)) == ["Reading: my school day"]
    assert titles(search_resources(teacher, "", {"length": "long"}, None, 1, 20)) == ["函数 graph 综合练习"]
    newest = search_resources(teacher, "", {"subject": "math"}, "newest", 1, 20)
    assert titles(newest)[0] == "一元二次方程" and newest.sort == "newest"


def test_pages(catalog):
    page = search_resources(catalog.teacher, "", {}, "newest", 2, 2)
    assert (page.total, page.pages, len(page.items), page.has_next) == (5, 3, 2, True)


@pytest.mark.parametrize(
    "query, notice",
    [("", "empty"), ("！！？", "no_terms"), ("函数 zzzz", "partial"), ("qqqq", "no_results"),
     ("数学 " * 200, "truncated"), ("\"' OR 1=1 -- NEAR( * :", "no_results"), ("\x00%_", "no_terms")],
)  # fmt: skip
def test_empty_or_absurd_queries_answer_with_a_notice_never_an_error(catalog, query, notice):
    page = search_resources(catalog.teacher, query, {"grade": "nonsense", "length": "x"}, "bogus", 99, 10_000)
    assert page.notice == notice and page.message
    assert page.per_page <= 200


def test_other_schools_see_nothing(catalog):
    assert search_resources(catalog.foreign_admin, "函数", {}, None, 1, 20).total == 0


def test_counts_stop_at_the_cap_and_say_there_are_more(catalog, monkeypatch, client, login):
    monkeypatch.setattr("app.catalog.search.COUNT_CAP", 2)
    page = search_resources(catalog.teacher, "数学", {}, None, 1, 1)
    assert (page.total, page.more, page.pages, page.has_next) == (2, True, 3, True)
    assert page.meta()["more"] is True
    assert search_resources(catalog.teacher, "方程", {}, None, 1, 20).more is False
    monkeypatch.setattr("app.catalog.routes.RESULTS_PER_PAGE", 1)
    login(catalog.teacher)
    html = client.get("/catalog", query_string={"q": "数学"}).get_data(as_text=True)
    assert "More than 2 resources" in html
