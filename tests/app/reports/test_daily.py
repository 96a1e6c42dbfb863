"""The daily report: stored once per school and day, replaced (never duplicated) when generated
again, listed for download, and due each morning after the configured hour."""

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook

from app.core.storage import get_storage
from app.extensions import db
from app.participation.attendance import compute_attendance
from app.reports.daily import daily_report_file, daily_reports, due_schools, generate_daily_report, yesterday
from app.reports.rollups import local_day


def _stored_files(app, school_id):
    root = Path(app.config["STORAGE_LOCAL_DIR"]) / "reports" / "daily" / str(school_id)
    return sorted(p.name for p in root.glob("*")) if root.exists() else []


def test_the_daily_report_holds_the_days_figures_and_tables(app, lesson_people, stay):
    p = lesson_people
    stay(p.lesson, p.students[0], 0, 40)
    compute_attendance(p.lesson.id)
    db.session.commit()
    day = local_day(p.lesson.starts_at, "Asia/Shanghai")
    report = generate_daily_report(p.school.id, day)
    db.session.commit()
    data, filename, mimetype = daily_report_file(report)
    assert filename.endswith(f"{day.isoformat()}.xlsx") and p.school.name in filename
    book = load_workbook(io.BytesIO(data))
    summary = [row for row in book.worksheets[0].iter_rows(values_only=True)]
    assert any(row[0] == "Lessons held" and row[1] == 1 for row in summary)
    assert any(str(row[0]).startswith("Scope") and p.school.name in str(row[0]) for row in summary)
    assert len(book.worksheets) > 6


def test_generating_again_replaces_the_file_and_keeps_one_row(app, lesson_people):
    p = lesson_people
    day = yesterday(p.school.id)
    before = set(_stored_files(app, p.school.id)) - {f"{day.isoformat()}.xlsx"}
    first = generate_daily_report(p.school.id, day)
    db.session.commit()
    again = generate_daily_report(p.school.id, day)
    db.session.commit()
    assert again.id == first.id
    assert [r.day for r in daily_reports(p.school.id)] == [day]
    assert set(_stored_files(app, p.school.id)) - before == {f"{day.isoformat()}.xlsx"}
    assert get_storage().exists(again.storage_key)


def test_the_previous_day_is_due_after_the_morning_hour_until_generated(app, lesson_people):
    p = lesson_people
    # 05:30 and 06:30 in Shanghai (UTC+8)
    early, late = datetime(2026, 3, 3, 21, 30, tzinfo=UTC), datetime(2026, 3, 3, 22, 30, tzinfo=UTC)
    assert (p.school.id, datetime(2026, 3, 3).date()) not in due_schools(early)
    assert (p.school.id, datetime(2026, 3, 3).date()) in due_schools(late)
    generate_daily_report(p.school.id, datetime(2026, 3, 3).date())
    db.session.commit()
    assert (p.school.id, datetime(2026, 3, 3).date()) not in due_schools(late + timedelta(hours=1))


def test_flask_reports_daily_generates_for_a_date_and_rejects_a_bad_one(app, lesson_people):
    p = lesson_people
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "daily", "--date", "2026-03-02", "--school", str(p.school.id)])
    assert result.exit_code == 0, result.output
    assert "2026-03-02" in result.output
    assert [r.day.isoformat() for r in daily_reports(p.school.id)] == ["2026-03-02"]
    bad = runner.invoke(args=["reports", "daily", "--date", "2.3.2026"])
    assert bad.exit_code != 0 and "--date" in bad.output


def test_flask_reports_refresh_rebuilds_a_range(app, lesson_people, stay):
    p = lesson_people
    stay(p.lesson, p.students[0], 0, 40)
    compute_attendance(p.lesson.id)
    db.session.commit()
    day = local_day(p.lesson.starts_at, "Asia/Shanghai").isoformat()
    result = app.test_cli_runner().invoke(args=["reports", "refresh", "--from", day, "--school", str(p.school.id)])
    assert result.exit_code == 0, result.output
    assert "1 lessons" in result.output
