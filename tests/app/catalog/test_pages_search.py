"""The catalog pages: search and filters, a resource with its origins, splitting a wrong merge."""

# ruff: noqa: F811  (fixtures imported, then named as arguments)

import re

import pytest

from app.catalog.models import Resource
from app.extensions import db
from tests.app.catalog.factories import make_resource  # noqa: F401 (fixture)


@pytest.fixture
def lessons(make_resource):
    return {
        "quadratic": make_resource(title="二次函数的图像与性质", description="<p>初中数学: quadratic functions</p>",
                                   grades=[9], edition="人教", duration_minutes=20),
        "poem": make_resource(title="静夜思", subject="chinese", grades=[1], stages=["primary"], level="provincial",
                              media_type="courseware", duration_minutes=None),
        "long": make_resource(title="函数的概念（大学先修）", grades=[12], stages=["senior"], duration_minutes=90,
                              level="municipal"),
    }  # fmt: skip


def _titles(page: str) -> list[str]:
    return re.findall(r'class="fw-semibold text-break" href="/catalog/resources/\d+">([^<]+)<', page)


@pytest.fixture
def teacher_client(client, people, login):
    login(people.teacher)
    return client


@pytest.mark.parametrize(
    "query, expected",
    [("数学", {"二次函数的图像与性质", "函数的概念（大学先修）"}),  # titles, or the subject's name
     ("函数", {"二次函数的图像与性质", "函数的概念（大学先修）"}), ("quadratic", {"二次函数的图像与性质"}),
     ("静夜思", {"静夜思"}), ("语文", {"静夜思"}), ("mathematics", {"二次函数的图像与性质", "函数的概念（大学先修）"})],
)  # fmt: skip
def test_teacher_finds_lessons_by_chinese_or_english_words(teacher_client, lessons, query, expected):
    page = teacher_client.get("/catalog", query_string={"q": query}).get_data(as_text=True)
    assert set(_titles(page)) == expected


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"level": "provincial"}, {"静夜思"}),
        ({"stage": "senior"}, {"函数的概念（大学先修）"}),
        ({"grade": "9"}, {"二次函数的图像与性质"}),
        ({"subject": "chinese"}, {"静夜思"}),
        ({"edition": "人教版"}, {"二次函数的图像与性质"}),
        ({"media_type": "courseware"}, {"静夜思"}),
        ({"length": "long"}, {"函数的概念（大学先修）"}),
        ({"length": "short", "q": "函数"}, {"二次函数的图像与性质"}),
    ],
)
def test_filters_narrow_the_results(teacher_client, lessons, filters, expected):
    page = teacher_client.get("/catalog", query_string=filters).get_data(as_text=True)
    assert set(_titles(page)) == expected


@pytest.mark.parametrize(
    "query",
    ["", "   ", "%%%", "'; DROP TABLE resource; --", '"unclosed', "*", "AND OR NOT", "x" * 5000,
     "<script>alert(1)</script>", "函数 " * 100, "\u0000\u202e", "NEAR(a b)"],
)  # fmt: skip
def test_empty_or_absurd_queries_get_a_helpful_page(teacher_client, lessons, query):
    response = teacher_client.get("/catalog", query_string={"q": query, "grade": "abc", "level": "galactic"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert 'data-testid="search-notice"' in page or _titles(page)


def test_nothing_found_suggests_what_to_try(teacher_client, lessons):
    page = teacher_client.get("/catalog", query_string={"q": "量子色动力学"}).get_data(as_text=True)
    assert "Nothing matched" in page and "Remove a filter" in page


def test_htmx_search_answers_only_the_results(teacher_client, lessons):
    response = teacher_client.get(
        "/catalog", query_string={"q": "函数"}, headers={"HX-Request": "true", "HX-Target": "search-results"}
    )
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="search-results"') and "<html" not in body


def test_withdrawn_resources_are_not_found(teacher_client, make_resource):
    make_resource(title="撤下的函数课", withdrawn=True)
    assert "撤下的函数课" not in teacher_client.get("/catalog", query_string={"q": "函数"}).get_data(as_text=True)


def test_resource_page_shows_every_origin_and_why_it_merged(teacher_client, make_resource):
    resource = make_resource(origins=2)
    page = teacher_client.get(f"/catalog/resources/{resource.id}").get_data(as_text=True)
    assert page.count('data-testid="merge-reason"') == 2
    assert "The first copy of this resource." in page and "Same address as another copy" in page
    assert "https://copy1.example.cn/" in page
    assert "Split into its own resource" not in page  # teachers see why, academic affairs may split


def test_academic_affairs_split_a_wrong_merge(client, people, login, make_resource):
    resource = make_resource(origins=2)
    origin = resource.origins[1]
    login(people.academic_affairs)
    page = client.get(f"/catalog/resources/{resource.id}").get_data(as_text=True)
    assert page.count("Split into its own resource") == 2
    response = client.post(f"/catalog/origins/{origin.id}/split", data={"reason": "不同版本"}, follow_redirects=True)
    assert "Split off into its own resource" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.query(Resource).count() == 2
    assert db.session.get(type(origin), origin.id).resource_id != resource.id


def test_uploaded_file_without_storage_object_is_not_offered_to_other_schools(client, people, login, make_resource):
    resource = make_resource()
    login(people.foreign_admin)
    assert client.get(f"/catalog/resources/{resource.id}").status_code == 403


@pytest.mark.parametrize("path", ["/catalog", "/catalog/upload", "/my/resources"])
def test_catalog_pages_have_no_inline_script_or_style(teacher_client, lessons, path):
    page = teacher_client.get(path).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert " style=" not in page and "<style" not in page
    assert 'name="viewport"' in page


def test_teachers_see_the_catalog_in_their_navigation(teacher_client):
    page = teacher_client.get("/").get_data(as_text=True)
    assert 'href="/catalog"' in page and 'href="/my/resources"' not in page
