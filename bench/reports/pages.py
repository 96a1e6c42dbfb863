"""The report pages as a browser gets them (HTTP through the app, HTML rendered), on the term of
bench/reports/run.py: what the pages add to the builders' time (the scope picker, breadcrumbs,
formatting, the template).

Measures, signed in as academic affairs, last 7 days: the dashboard page; each report page at
the school, grade, class, course, teacher and student level; the class's attendance XLSX link.
Targets as for the builders: dashboard <= 500 ms, each drill-down <= 200 ms.

    .venv/bin/python bench/reports/pages.py --db sqlite|postgresql [--scale 0.1]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from bench.participation.run import database  # noqa: E402
from bench.reports.run import generate  # noqa: E402

PASSWORD = "bench password 42"


def timed_get(client, path: str, args: dict, repeat: int) -> tuple[float, int]:
    samples, status = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get(path, query_string=args)
        samples.append((time.perf_counter() - started) * 1000)
        status = answer.status_code
    return statistics.median(samples), status


def builder_ms(app, name: str, school: int, kind: str, ident: int, week: dict, repeat: int) -> float:
    """The same report built without HTTP and template, for the page's share of the time."""
    from datetime import date

    from app.reports.report import Scope, build_report

    scope = Scope(school, kind, ident, date.fromisoformat(week["from"]), date.fromisoformat(week["to"]))
    samples = []
    with app.test_request_context():
        for _ in range(repeat):
            started = time.perf_counter()
            build_report(name, scope)
            samples.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
    return statistics.median(samples)


def _academic_affairs(school_id: int):
    from app.auth.models import Role, User, UserRole

    user = User(username="jiaowu", name="教务处", school_id=school_id, timezone="Asia/Shanghai")
    user.set_password(PASSWORD)
    user.role_grants.append(UserRole(role=Role.ACADEMIC_AFFAIRS))
    db.session.add(user)
    db.session.commit()
    return user


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the 20 classes per grade")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url, drop = database(args.db)
    app = create_app(
        SQLALCHEMY_DATABASE_URI=url, KEXU_ENV="testing", TESTING=True, WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False, KEXU_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000", BABEL_DEFAULT_LOCALE="zh_Hans_CN",
    )  # fmt: skip
    try:
        with app.app_context():
            db.create_all()
            data = _prepare(args)
        _measure(app, data, args)
    finally:
        with app.app_context():
            drop()


def _prepare(args) -> dict:
    from app.reports.rollups import refresh_rollups

    started = time.perf_counter()
    data = generate(args.scale, random.Random(11))
    refresh_rollups(data["school_id"], data["first"], data["last"])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Committed: statistics gathered in a transaction that is rolled back are lost.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
    data["username"] = _academic_affairs(data["school_id"]).username
    print(f"{args.db}: {data['students']} students, {data['lessons']} lessons "
          f"(generated and rolled up in {time.perf_counter() - started:.0f} s)")  # fmt: skip
    return data


def _measure(app, data: dict, args) -> None:
    from app.reports.report import REPORT_NAMES

    client = app.test_client()
    with app.app_context():
        assert client.post("/login", data={"username": data["username"], "password": PASSWORD}).status_code == 302
    week = {"from": (data["last"] - timedelta(days=6)).isoformat(), "to": data["last"].isoformat()}
    school = data["school_id"]
    ms, status = timed_get(client, "/reports/", {**week, "scope": "school", "id": school}, args.repeat)
    print(f"dashboard page, whole school, last 7 days: {ms:.0f} ms median (HTTP {status})")
    levels = [
        ("school", school), ("grade", data["grade_id"]), ("class", data["class_id"]),
        ("course", data["course_id"]), ("teacher", data["teacher_id"]), ("student", data["student_id"]),
    ]  # fmt: skip
    for kind, ident in levels:
        worst = (0.0, "", 0)
        for name in REPORT_NAMES:
            ms, status = timed_get(client, f"/reports/{name}", {**week, "scope": kind, "id": ident}, args.repeat)
            worst = max(worst, (ms, name, status))
        ms, name, status = worst
        alone = builder_ms(app, name, school, kind, ident, week, args.repeat)
        print(f"report pages at {kind} level, last 7 days: slowest {name} {ms:.0f} ms median (HTTP {status}); "
              f"its builder alone {alone:.0f} ms")  # fmt: skip
    class_args = {**week, "scope": "class", "id": data["class_id"]}
    ms, status = timed_get(client, "/reports/attendance.xlsx", class_args, args.repeat)
    print(f"class attendance XLSX download, last 7 days: {ms:.0f} ms median (HTTP {status})")


if __name__ == "__main__":
    main()
