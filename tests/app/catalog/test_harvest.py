"""Harvesting JSON feeds from a real local server: paging, idempotence, updates, errors, withdrawals."""

from __future__ import annotations

from sqlalchemy import select

from app.catalog.harvest import harvest_source
from app.catalog.models import HarvestRun, LessonPlanItem, Resource, ResourceOrigin, RunStatus
from app.catalog.search import search_resources
from app.core.permissions import can
from app.extensions import db
from tests.app.catalog.conftest import feed, lesson

JSON = "application/json"


def harvest(source, **kwargs) -> HarvestRun:
    run = harvest_source(source, **kwargs)
    db.session.commit()
    return run


def resources_of(school):
    return db.session.scalars(select(Resource).where(Resource.school_id == school.id).order_by(Resource.id)).all()


def test_a_paged_feed_is_read_to_the_end_and_each_lesson_becomes_a_resource(feed_server, make_catalog_source, school):
    page2 = feed_server.route("/p2", feed([lesson("b", "一元二次方程", subject="数学", grades=["九年级"])]), JSON)
    url = feed_server.route("/p1", feed([lesson("a", "二次函数的图像", duration=20)], next_url=page2), JSON)
    run = harvest(make_catalog_source(url))
    assert (run.status, run.added, run.updated, run.errors) == (RunStatus.SUCCEEDED, 2, 0, [])
    titles = [resource.title for resource in resources_of(school)]
    assert titles == ["二次函数的图像", "一元二次方程"]
    assert resources_of(school)[1].grades == [9] and resources_of(school)[1].stages == ["junior"]


def test_harvesting_twice_changes_nothing(feed_server, make_catalog_source, school):
    url = feed_server.route("/f", feed([lesson("a", "函数", updated="2020-02-17T08:00:00+08:00")]), JSON)
    source = make_catalog_source(url)
    harvest(source)
    before = [(r.id, r.updated_at) for r in resources_of(school)]
    second = harvest(source, full=True)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 1)
    assert [(r.id, r.updated_at) for r in resources_of(school)] == before


def test_a_changed_record_updates_its_resource_in_place(feed_server, make_catalog_source, school):
    url = feed_server.route("/f", feed([lesson("a", "函数的概念")]), JSON)
    source = make_catalog_source(url)
    harvest(source)
    resource_id = resources_of(school)[0].id
    feed_server.route(
        "/f", feed([lesson("a", "函数的概念与表示", description="<p>新版</p><script>x()</script>")]), JSON
    )
    run = harvest(source, full=True)
    assert (run.added, run.updated) == (0, 1)
    [resource] = resources_of(school)
    assert (resource.id, resource.title) == (resource_id, "函数的概念与表示")
    assert "<script>" not in resource.description and "新版" in resource.description


def test_a_malformed_record_is_reported_and_skipped(feed_server, make_catalog_source, school):
    items = [lesson("ok", "有理数"), {"id": "bad", "title": "没有链接"}, lesson("dur", "时长错误", duration="很久")]
    run = harvest(make_catalog_source(feed_server.route("/f", feed(items), JSON)))
    assert run.status == RunStatus.PARTIAL and run.added == 1
    assert [(e["external_id"], e["field"]) for e in run.errors] == [("bad", "url"), ("dur", "duration_minutes")]
    assert run.errors[0]["position"] == "page 1 item 2"
    assert [r.title for r in resources_of(school)] == ["有理数"]


def test_a_slow_or_garbage_source_fails_with_its_reason_and_the_others_still_harvest(
    feed_server, make_catalog_source, school
):
    slow = make_catalog_source(feed_server.route("/slow", feed([lesson("s", "慢")]), JSON, delay=1.5), timeout=0.3)
    garbage = make_catalog_source(feed_server.route("/junk", b"<html>oops</html>", "text/html"))
    good = make_catalog_source(feed_server.route("/good", feed([lesson("g", "好")]), JSON))
    runs = [harvest(source) for source in (slow, garbage, good)]
    assert [run.status for run in runs] == [RunStatus.FAILED, RunStatus.FAILED, RunStatus.SUCCEEDED]
    assert "timed out" in runs[0].message and "not JSON" in runs[1].message
    assert [r.title for r in resources_of(school)] == ["好"]
    assert slow.last_success_at is None and good.last_success_at is not None


def test_a_source_failing_midway_keeps_nothing_of_that_run(feed_server, make_catalog_source, school):
    source = make_catalog_source(feed_server.route("/p1", feed([lesson("a", "第一页")], next_url="/missing"), JSON))
    run = harvest(source)
    assert run.status == RunStatus.FAILED and "HTTP 404" in run.message
    assert resources_of(school) == [] and run.added == 0


def test_a_deleted_record_is_withdrawn_hidden_from_search_and_kept_where_assigned(
    feed_server, make_catalog_source, people
):
    url = feed_server.route("/f", feed([lesson("a", "勾股定理"), lesson("b", "勾股定理的应用")]), JSON)
    source = make_catalog_source(url, school_unit=people.school)
    harvest(source)
    assigned = db.session.scalar(select(Resource).where(Resource.title == "勾股定理"))
    db.session.add(LessonPlanItem(course_id=people.course.id, resource_id=assigned.id))
    db.session.commit()
    feed_server.route("/f", feed([{"id": "a", "deleted": True}, lesson("b", "勾股定理的应用")]), JSON)
    run = harvest(source, full=True)
    assert (run.withdrawn, run.unchanged) == (1, 1)
    assert assigned.withdrawn
    assert [r.title for r in search_resources(people.teacher, "勾股", {}, None, 1, 20).items] == ["勾股定理的应用"]
    assert can(people.student, "resource.view", assigned)  # the student's course plans it
    assert not can(people.other_student, "resource.view", assigned)
    again = harvest(source, full=True)
    assert (again.withdrawn, again.updated) == (0, 0)


def test_a_withdrawn_record_that_returns_is_restored(feed_server, make_catalog_source, school):
    source = make_catalog_source(feed_server.route("/f", feed([{"id": "a", "deleted": True}]), JSON))
    feed_server.route("/f", feed([lesson("a", "回来了")]), JSON)
    harvest(source)
    feed_server.route("/f", feed([{"id": "a", "deleted": True}]), JSON)
    harvest(source, full=True)
    assert resources_of(school)[0].withdrawn
    feed_server.route("/f", feed([lesson("a", "回来了")]), JSON)
    run = harvest(source, full=True)
    assert run.updated == 1 and not resources_of(school)[0].withdrawn


def test_incremental_harvests_ask_the_server_for_changes_since_the_last_success(feed_server, make_catalog_source):
    source = make_catalog_source(feed_server.route("/f", feed([lesson("a", "甲")]), JSON))
    harvest(source)
    harvest(source)
    assert "since=" not in feed_server.requests[0] and "since=" in feed_server.requests[1]


def test_an_origin_keeps_its_record_hash_and_keys(feed_server, make_catalog_source):
    url = feed_server.route(
        "/f", feed([lesson("a", "Ｆunctions", url="HTTPS://Lessons.example.cn/a/?utm_source=x")]), JSON
    )
    harvest(make_catalog_source(url))
    origin = db.session.scalar(select(ResourceOrigin))
    assert origin.url_key == "lessons.example.cn/a" and len(origin.record_hash) == 64
    assert origin.merge_reason == "first"
