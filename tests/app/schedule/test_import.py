"""Timetable import: all or nothing, every problem by row, the same check as the form."""

import io

import openpyxl
from sqlalchemy import func, select

from app.extensions import db
from app.schedule.models import LiveSeries, LiveSession
from app.schedule.timetable_import import import_timetable, read_rows

HEADER = "course,title,date,start,minutes,classes,weekdays,count,join_url\n"


def rows(text: str) -> list[dict]:
    return read_rows("timetable.csv", (HEADER + text).encode())


def stored() -> int:
    return db.session.scalar(select(func.count(LiveSession.id)))


def test_a_clean_timetable_is_stored_with_its_weekly_series(timetable):
    data = rows(
        "Maths 7,Algebra,2030-03-04,09:00,30,,Mon;Wed,4,https://zoom.us/j/1\nChinese 7,,2030-03-04,10:00,20,,,,\n"
    )
    report = import_timetable(timetable.academic_affairs, timetable.school, data)
    db.session.commit()
    assert report.ok and (report.sessions, report.series) == (5, 1)
    assert stored() == 5 and db.session.scalar(select(LiveSeries.rrule)).endswith("COUNT=4")


def test_one_bad_row_stores_nothing_and_every_problem_is_listed_by_row(timetable):
    data = rows(
        "Maths 7,,2030-03-04,09:00,30,,,,\n"  # row 2: fine on its own
        "Chinese 7,,2030-03-04,09:10,20,,,,\n"  # row 3: 7A is in row 2's lesson
        "Maths 7,,2030-03-05,09:00,45,,,,\n"  # row 4: longer than 30 minutes
        "Physics,,2030-03-05,11:00,30,,,,\n"  # row 5: no such course
        "Maths 7,,5 March,11:00,30,,,,\n"  # row 6: bad date
        "Maths 7,,2030-03-06,11:00,30,7Z,,,ftp://x\n"  # row 7: unknown class and bad link
    )
    report = import_timetable(timetable.academic_affairs, timetable.school, data)
    db.session.commit()
    assert not report.ok and stored() == 0
    by_row = {}
    for problem in report.problems:
        by_row.setdefault(problem.row, []).append(problem.message)
    assert sorted(by_row) == [3, 4, 5, 6, 7]
    assert "Class already has a lesson at this time (row 2" in by_row[3][0]
    assert "Longest lesson: limit 30 min, reached 45 min on 2030-03-05 for 6 students" in by_row[4]


def test_xlsx_files_and_dry_runs(timetable):
    book = openpyxl.Workbook()
    book.active.append(["course", "date", "start", "minutes"])
    book.active.append(["Maths 7", "2030-03-04", "09:00", 30])
    buffer = io.BytesIO()
    book.save(buffer)
    data = read_rows("t.xlsx", buffer.getvalue())
    assert import_timetable(None, timetable.school, data, dry_run=True).ok and stored() == 0


def test_the_cli_imports_or_refuses_the_whole_file(app, timetable, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(HEADER + "Maths 7,,2030-03-04,09:00,30,,,,\n")
    bad.write_text(HEADER + "Maths 7,,2030-03-05,09:00,50,,,,\n")
    runner = app.test_cli_runner()
    code = timetable.school.code
    dry = runner.invoke(args=["schedule", "import", str(good), "--dry-run", "--school", code])
    assert dry.exit_code == 0 and "nothing stored" in dry.output and stored() == 0
    refused = runner.invoke(args=["schedule", "import", str(bad), "--school", code])
    assert refused.exit_code == 1 and "Row 2: Longest lesson" in refused.output
    done = runner.invoke(args=["schedule", "import", str(good), "--school", code])
    assert done.exit_code == 0 and "Imported 1 lessons" in done.output
    db.session.expire_all()
    assert stored() == 1


def test_the_cli_tells_file_problems_as_the_page_does(app, timetable, tmp_path):
    empty, header_only = tmp_path / "empty.csv", tmp_path / "header.csv"
    empty.write_text("")
    header_only.write_text(HEADER)
    runner = app.test_cli_runner()
    code = timetable.school.code
    refused = runner.invoke(args=["schedule", "import", str(empty), "--school", code])
    assert refused.exit_code == 1 and "The file is empty." in refused.output
    nothing = runner.invoke(args=["schedule", "import", str(header_only), "--school", code])
    assert nothing.exit_code == 1 and "Row 1: The file has a header row but no lessons below it." in nothing.output
