"""The same lesson from national, provincial and school sources is one resource; splits stick."""

from __future__ import annotations

from sqlalchemy import select

from app.catalog.harvest import harvest_source
from app.catalog.merging import explain_merge, split_origin
from app.catalog.models import MergeSplit, Resource
from app.catalog.search import search_resources
from app.extensions import db
from tests.app.catalog.conftest import feed, lesson

JSON = "application/json"
SAME = {"subject": "数学", "grades": ["九年级"], "edition": "人教版", "chapter": "第二十二章 二次函数"}


def harvest_all(*sources):
    for source in sources:
        harvest_source(source, full=True)
    db.session.commit()


def three_sources(feed_server, make_catalog_source, school_unit):
    national = make_catalog_source(
        feed_server.route("/n", feed([lesson("n1", "二次函数的图像和性质", **SAME)]), JSON),
        level="national",
        name="国家",
        school_unit=school_unit,
    )
    provincial = make_catalog_source(
        feed_server.route(
            "/p", feed([lesson("p1", "二次函数的图像和性质", **{**SAME, "edition": "人民教育出版社"})]), JSON
        ),
        level="provincial",
        name="省",
        school_unit=school_unit,
    )
    school_copy = make_catalog_source(
        feed_server.route(
            "/s", feed([lesson("s1", "校本：二次函数", url="https://lessons.example.cn/p1?utm_source=wx")]), JSON
        ),
        level="school",
        name="校",
        school_unit=school_unit,
    )
    return national, provincial, school_copy


def test_one_lesson_republished_three_times_appears_once_with_every_origin(feed_server, make_catalog_source, people):
    sources = three_sources(feed_server, make_catalog_source, people.school)
    harvest_all(*reversed(sources))  # the school's copy arrives first; the national fields still win
    [resource] = db.session.scalars(select(Resource)).all()
    assert resource.level == "national" and resource.title == "二次函数的图像和性质"
    reasons = sorted(origin.merge_reason for origin in resource.origins)
    assert reasons == ["content", "first", "url"]
    page = search_resources(people.teacher, "二次函数", {}, None, 1, 20)
    assert page.total == 1
    url_origin = next(origin for origin in resource.origins if origin.merge_reason == "url")
    assert "lessons.example.cn/p1" in explain_merge(url_origin)


def test_a_split_survives_the_next_harvest_even_when_the_record_changes(feed_server, make_catalog_source, people):
    national, provincial, school_copy = three_sources(feed_server, make_catalog_source, people.school)
    harvest_all(national, provincial)
    resource = db.session.scalar(select(Resource))
    provincial_origin = next(origin for origin in resource.origins if origin.source_id == provincial.id)
    separate = split_origin(people.academic_affairs, provincial_origin, "沪教版，不是同一课")
    db.session.commit()
    assert db.session.scalar(select(MergeSplit)).reason == "沪教版，不是同一课"
    feed_server.route("/p", feed([lesson("p1", "二次函数的图像和性质（修订）", **SAME)]), JSON)
    harvest_all(national, provincial)
    db.session.expire_all()
    assert len(db.session.scalars(select(Resource)).all()) == 2
    assert db.session.get(Resource, separate.id).title == "二次函数的图像和性质（修订）"
    assert [origin.source_id for origin in db.session.get(Resource, resource.id).origins] == [national.id]


def test_resources_of_different_schools_never_merge(feed_server, make_catalog_source, make_school, school):
    other = make_school()
    url = feed_server.route("/n", feed([lesson("n1", "二次函数", **SAME)]), JSON)
    harvest_all(make_catalog_source(url, name="a"), make_catalog_source(url, name="b", school_unit=other))
    assert sorted(r.school_id for r in db.session.scalars(select(Resource))) == sorted([school.id, other.id])


def test_different_textbook_editions_stay_apart(feed_server, make_catalog_source):
    url = feed_server.route(
        "/n", feed([lesson("a", "二次函数", **SAME), lesson("b", "二次函数", **{**SAME, "edition": "沪教版"})]), JSON
    )
    harvest_all(make_catalog_source(url))
    assert len(db.session.scalars(select(Resource)).all()) == 2
