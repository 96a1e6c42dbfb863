"""Lesson plans: teachers of the course and academic affairs plan; students see the plan in order."""

# ruff: noqa: F811  (fixtures imported, then named as arguments)

from datetime import date

import pytest

from app.catalog.models import LessonPlanItem
from app.catalog.plans import PlanError, add_plan_item, plan_items, reorder_plan
from app.extensions import db
from tests.app.catalog.factories import create_plan_item, make_resource  # noqa: F401 (fixture)


def _titles(course) -> list[str]:
    db.session.expire_all()  # the requests wrote through their own sessions
    return [item.resource.title for item in plan_items(course)]


def test_teacher_adds_a_resource_with_note_date_and_minutes_and_students_see_it(client, people, login, make_resource):
    resource = make_resource(title="一次函数的图像")
    login(people.teacher)
    response = client.post(
        f"/catalog/resources/{resource.id}/plan",
        data={"course_id": people.course.id, "note": "<p>先看<em>例 2</em></p>", "planned_on": "2026-03-02",
              "estimated_minutes": "25"},
    )  # fmt: skip
    assert response.status_code == 302
    item = db.session.query(LessonPlanItem).one()
    assert (item.planned_on, item.estimated_minutes, item.note) == (date(2026, 3, 2), 25, "<p>先看<em>例 2</em></p>")
    client.post("/logout")
    login(people.student)
    page = client.get(f"/courses/{people.course.id}/plan").get_data(as_text=True)
    assert "一次函数的图像" in page and "<em>例 2</em>" in page and "25 min" in page
    main = page.split('<main id="main"')[1]  # outside it, random tokens could spell anything
    assert "Move up" not in main and "Edit" not in main  # students only read
    assert client.get(f"/catalog/resources/{resource.id}").status_code == 200


def test_new_items_go_last_and_the_plan_keeps_its_order(app, people, make_resource):
    for title in ("第一课", "第二课", "第三课"):
        add_plan_item(people.teacher, people.course, make_resource(title=title), {})
    assert _titles(people.course) == ["第一课", "第二课", "第三课"]
    items = plan_items(people.course)
    reorder_plan(people.teacher, people.course, [items[2].id, items[0].id, items[1].id])
    assert _titles(people.course) == ["第三课", "第一课", "第二课"]
    with pytest.raises(PlanError) as error:
        reorder_plan(people.teacher, people.course, [items[0].id])
    assert error.value.field == "item_ids"


def test_moving_an_item_up_with_htmx_answers_the_new_list_only(client, people, login, make_resource):
    first = create_plan_item(people.course, make_resource(title="甲"))
    second = create_plan_item(people.course, make_resource(title="乙"))
    login(people.teacher)
    response = client.post(
        f"/courses/{people.course.id}/plan/{second.id}/move", data={"direction": "up"}, headers={"HX-Request": "true"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and 'id="plan-items"' in body
    assert body.index("乙") < body.index("甲")
    assert _titles(people.course) == ["乙", "甲"]
    client.post(f"/courses/{people.course.id}/plan/{first.id}/remove")
    assert _titles(people.course) == ["乙"]
    assert [item.position for item in plan_items(people.course)] == [0]


def test_a_withdrawn_resource_cannot_be_added_but_stays_where_assigned(client, people, login, make_resource):
    withdrawn = make_resource(title="撤下的课", withdrawn=True)
    kept = make_resource(title="已排的课")
    create_plan_item(people.course, kept)
    kept.withdrawn = True
    db.session.commit()
    with pytest.raises(PlanError) as error:
        add_plan_item(people.teacher, people.course, withdrawn, {})
    assert error.value.field == "resource_id"
    login(people.student)
    page = client.get("/my/resources").get_data(as_text=True)
    assert "已排的课" in page and "Withdrawn by its publishers" in page
    assert client.get(f"/catalog/resources/{kept.id}").status_code == 200
    assert client.get(f"/catalog/resources/{withdrawn.id}").status_code == 403


def test_the_same_resource_twice_or_another_schools_resource_is_refused(app, people, make_resource):
    resource = make_resource()
    add_plan_item(people.teacher, people.course, resource, {})
    with pytest.raises(PlanError, match="already in the plan"):
        add_plan_item(people.teacher, people.course, resource, {})
    foreign = make_resource(school_unit=people.other_school)
    with pytest.raises(PlanError, match="another school"):
        add_plan_item(people.teacher, people.course, foreign, {})


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("estimated_minutes", "0", "Estimated minutes must be a whole number from 1 to 600."),
        ("estimated_minutes", "半小时", "Estimated minutes must be a whole number from 1 to 600."),
        ("planned_on", "下周一", "Date: use the form 2026-03-02."),
        ("note", "长" * 5001, "The note is too long"),
    ],
)
def test_bad_values_come_back_beside_their_field(client, people, login, make_resource, field, value, message):
    resource = make_resource()
    login(people.teacher)
    response = client.post(f"/catalog/resources/{resource.id}/plan", data={"course_id": people.course.id, field: value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and "is-invalid" in page
    assert db.session.query(LessonPlanItem).count() == 0


def test_editing_an_item_changes_note_date_and_minutes(client, people, login):
    item = create_plan_item(people.course, note="旧")
    login(people.academic_affairs)
    response = client.post(
        f"/courses/{people.course.id}/plan/{item.id}",
        data={"note": "新的说明", "planned_on": "2026-03-09", "estimated_minutes": "40"},
    )
    assert response.status_code == 302
    db.session.refresh(item)
    assert (item.note, item.planned_on, item.estimated_minutes) == ("新的说明", date(2026, 3, 9), 40)


def test_class_teacher_sees_the_plan_but_cannot_change_it(client, people, login):
    item = create_plan_item(people.course)
    login(people.class_teacher)
    page = client.get(f"/courses/{people.course.id}/plan").get_data(as_text=True)
    assert item.resource.title in page and "Move up" not in page
    assert client.post(f"/courses/{people.course.id}/plan/{item.id}/remove").status_code == 403


def test_student_my_resources_lists_each_course_plan_in_order(client, people, login, make_resource):
    for title in ("预习", "讲解", "练习"):
        create_plan_item(people.course, make_resource(title=title))
    create_plan_item(people.other_course, make_resource(title="别班的课"))
    login(people.student)
    page = client.get("/my/resources").get_data(as_text=True)
    assert page.index("预习") < page.index("讲解") < page.index("练习")
    assert "别班的课" not in page
    assert 'href="/my/resources"' in page  # the student's navigation entry


def test_the_estimate_defaults_to_the_lesson_length_but_not_to_a_whole_moocs(app, people, make_resource):
    lesson = add_plan_item(people.teacher, people.course, make_resource(duration_minutes=20), {})
    mooc = add_plan_item(people.teacher, people.course, make_resource(duration_minutes=1800, media_type="mooc"), {})
    assert (lesson.estimated_minutes, mooc.estimated_minutes) == (20, None)
