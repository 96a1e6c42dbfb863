"""The catalog pages with real content fit a 375 px phone and break no CSP rule."""

import pytest

from tests.app.catalog.factories import create_plan_item, create_resource
from tests.e2e.pages import horizontal_overflow, sign_in

pytestmark = pytest.mark.e2e

PHONE_WIDTH = 375
LONG = "二次函数的图像与性质（第一课时）——用描点法画出抛物线并观察开口方向、对称轴与顶点坐标" * 2


def test_catalog_pages_fit_a_phone(open_page, console, people):
    resource = create_resource(people.school.id, title=LONG, origins=3, description="<p>" + "很长的说明" * 80 + "</p>",
                               chapter=LONG, edition="人教")  # fmt: skip
    create_plan_item(people.course, resource, note="<p>" + "https://example.cn/" + "a" * 120 + "</p>")
    create_plan_item(people.course)
    checked = {}
    for user, paths in (
        (people.academic_affairs, ["/catalog", "/catalog?q=函数&grade=8", f"/catalog/resources/{resource.id}",
                                   f"/courses/{people.course.id}/plan", "/catalog/upload", "/my/resources"]),
        (people.student, ["/my/resources", f"/courses/{people.course.id}/plan", f"/catalog/resources/{resource.id}"]),
    ):  # fmt: skip
        page = open_page(locale="zh-CN", width=PHONE_WIDTH)
        sign_in(page, user.username, "correct horse 42")
        for path in paths:
            assert page.goto(path).status == 200, path
            checked[(user.username, path)] = horizontal_overflow(page)
    assert {key: value for key, value in checked.items() if value > 0} == {}
    assert console.csp_violations == []
