"""CSV catalogs: encodings, Chinese/English headers, the template, bad rows."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from courses.records import Level, MediaType, RecordError, ResourceRecord
from courses.sources import make_source
from courses.sources.base import SourceError
from courses.sources.csv_source import TEMPLATE_COLUMNS, csv_template, header_field
from tests.courses.conftest import LAN

CHINESE_SHEET = (
    "编号,标题,链接,学科,年级,教材版本,章节,时长（分钟）,类型,级别,更新时间\r\n"
    "sx7-01,有理数的乘方,https://example.edu.cn/sx7-01,数学,初一,人教版,第一章 有理数,20,视频,区级,2020-02-17 08:00\r\n"
    "yw8-03,三峡,https://example.edu.cn/yw8-03,语文,八年级,统编版,第三单元,20分钟,微课,区级,2020-02-18 08:00\r\n"
)


def read(url, **config):
    return list(make_source("csv", {"url": url, **config}, address_policy=LAN).fetch())


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_chinese_headers_are_read_in_utf8_with_or_without_bom_and_in_gbk(feed_server, encoding):
    url = feed_server.route("/catalog.csv", CHINESE_SHEET.encode(encoding), "text/csv")

    first, second = read(url)

    assert (first.title, first.subject, first.grades, first.edition) == ("有理数的乘方", "math", (7,), "人教版")
    assert (first.duration_minutes, first.media_type, first.level) == (20, MediaType.VIDEO, Level.MUNICIPAL)
    # Times typed without an offset are Beijing time by default.
    assert first.updated_at == datetime(2020, 2, 17, 0, 0, tzinfo=UTC)
    assert (second.subject, second.grades, second.duration_minutes) == ("chinese", (8,), 20)


def test_english_headers_and_tab_separated_files_work_too(feed_server):
    sheet = (
        "Title\tURL\tSubject\tGrades\tDuration (minutes)\tMedia type\tUpdated\n"
        "Quadratic equations\thttps://example.edu.cn/q\tMathematics\tGrade 9; Grade 10\t45\tcourseware\t"
        "2020-03-01T10:00:00Z\n"
    )
    url = feed_server.route("/catalog.tsv", sheet, "text/tab-separated-values")

    (record,) = read(url, provider="Some school", level="school")

    assert record.external_id == "https://example.edu.cn/q"  # no id column: the URL stands in
    assert (record.subject, record.grades, record.stages) == ("math", (9, 10), ("junior", "senior"))
    assert (record.provider, record.level, record.media_type) == ("Some school", Level.SCHOOL, MediaType.COURSEWARE)


def test_bad_rows_are_reported_by_row_number_and_field_and_skipped(feed_server):
    sheet = (
        "id,title,url,duration\n"
        "a,Good,https://example.edu.cn/a,20\n"
        "b,No link,ftp://example.edu.cn/b,20\n"
        "\n"
        "c,Long,https://example.edu.cn/c,about an hour\n"
        "d,Too,many,cells,here\n"
    )
    url = feed_server.route("/catalog.csv", sheet, "text/csv")

    results = read(url)

    assert [r.external_id for r in results if isinstance(r, ResourceRecord)] == ["a"]
    errors = [str(r) for r in results if isinstance(r, RecordError)]
    assert errors == [
        "record 'b' at row 3: field 'url': not an absolute http(s) URL: 'ftp://example.edu.cn/b'",
        "record 'c' at row 5: field 'duration_minutes': not a duration: 'about an hour'",
        "at row 6: 5 cells but 4 headers",
    ]


def test_a_sheet_without_a_title_column_fails_with_the_expected_header_names(feed_server):
    url = feed_server.route("/catalog.csv", "name,link\nx,https://example.edu.cn\n", "text/csv")

    with pytest.raises(SourceError, match="no title column"):
        read(url)


def test_a_spreadsheet_saved_as_xlsx_is_refused_with_a_hint(feed_server):
    url = feed_server.route("/catalog.csv", b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "application/octet-stream")

    with pytest.raises(SourceError, match="saved as CSV"):
        read(url)


def test_a_slow_server_times_out(feed_server):
    url = feed_server.route("/slow.csv", CHINESE_SHEET, "text/csv", delay=1.5)

    with pytest.raises(SourceError, match="timed out"):
        read(url, timeout=0.3)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_downloadable_template_reads_back_as_its_example_record(feed_server, language):
    template = csv_template(language)
    url = feed_server.route(f"/template-{language}.csv", template.encode("utf-8-sig"), "text/csv")

    (record,) = read(url)

    headers = next(csv.reader(io.StringIO(template)))
    assert len(headers) == len(TEMPLATE_COLUMNS)
    assert all(header_field(header) for header in headers)  # every template column is understood
    assert (record.external_id, record.subject, record.grades, record.duration_minutes) == ("sx7-001", "math", (7,), 20)
    assert record.thumbnail_url == "https://example.edu.cn/lessons/sx7-001.jpg"


def test_local_csv_files_are_read_from_a_path_when_allowed(tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_bytes(CHINESE_SHEET.encode("gbk"))

    source = make_source("csv", {"url": str(path)}, allow_local_files=True)

    assert [r.external_id for r in source.fetch()] == ["sx7-01", "yw8-03"]
