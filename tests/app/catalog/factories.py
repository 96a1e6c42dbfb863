"""Resources, origins and plan items for the catalog page, plan, upload and API tests.

Plain functions (used by the page permission matrix too) and fixtures wrapping them;
a test module imports the fixtures it uses.
"""

from __future__ import annotations

import itertools

import pytest

from app.catalog.models import CatalogSource, LessonPlanItem, Resource, ResourceOrigin
from app.catalog.search_index import index_resource
from app.extensions import db
from courses.records import Level

_numbers = itertools.count(1)


def create_resource(school_id: int, title: str | None = None, origins: int = 0, **fields) -> Resource:
    """A committed, indexed resource (with `origins` harvested places, each from its own source)."""
    number = next(_numbers)
    values = {
        "title": title or f"第{number}课 一次函数",
        "level": Level.NATIONAL,
        "media_type": "video",
        "subject": "math",
        "stages": ["junior"],
        "grades": [8],
        "duration_minutes": 20,
        "url": f"https://lessons.example.cn/{number}",
        "provider": "国家中小学智慧教育平台",
        **fields,
    }
    resource = Resource(school_id=school_id, **values)
    index_resource(resource)
    db.session.add(resource)
    for index in range(origins):
        source = CatalogSource(
            school_id=school_id, name=f"源{number}-{index}", type="json", config={}, level=Level.NATIONAL
        )
        db.session.add(source)
        resource.origins.append(
            ResourceOrigin(
                source=source,
                external_id=f"ext-{number}-{index}",
                url=f"https://copy{index}.example.cn/{number}",
                level=Level.NATIONAL if index == 0 else Level.PROVINCIAL,
                provider=f"平台{index}",
                merge_reason="first" if index == 0 else "url",
                merge_detail=None if index == 0 else f"lessons.example.cn/{number}",
            )
        )
    db.session.commit()
    return resource


def create_plan_item(course, resource=None, **fields) -> LessonPlanItem:
    resource = resource or create_resource(course.school_id)
    last = max((item.position for item in db.session.query(LessonPlanItem).filter_by(course_id=course.id)), default=-1)
    item = LessonPlanItem(course_id=course.id, resource_id=resource.id, position=last + 1, **fields)
    db.session.add(item)
    db.session.commit()
    return item


@pytest.fixture
def make_resource(app, school):
    def make(school_unit=None, **fields) -> Resource:
        return create_resource((school_unit or school).id, **fields)

    return make


@pytest.fixture
def make_plan_item(app):
    return create_plan_item
