"""Validation of raw records: what is required and how a bad field is reported."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from courses.records import Level, MediaType, RecordError, build_record

BASE = {"external_id": "x1", "title": "方程", "url": "https://example.edu.cn/x1"}


def test_a_minimal_record_gets_defaults():
    record = build_record(BASE, source="district")

    assert (record.media_type, record.level, record.grades, record.deleted) == (MediaType.OTHER, None, (), False)
    assert record.origin.source == "district" and record.origin.url == "https://example.edu.cn/x1"


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"title": "  "}, "title", "missing"),
        ({"url": "javascript:alert(1)"}, "url", "not an absolute http(s) URL"),
        ({"level": "galactic"}, "level", "unknown level 'galactic'"),
        ({"media_type": "hologram"}, "media_type", "unknown media type"),
        ({"duration_minutes": "-5"}, "duration_minutes", "not a duration"),
        ({"updated_at": "next tuesday-ish"}, "updated_at", "not a date/time"),
        ({"thumbnail_url": "/img.png"}, "thumbnail_url", "not an absolute http(s) URL"),
    ],
)
def test_a_bad_field_is_named_in_the_error(change, field, reason):
    with pytest.raises(RecordError) as raised:
        build_record({**BASE, **change}, position="row 7")

    assert raised.value.field == field and reason in raised.value.reason
    assert str(raised.value).startswith("record 'x1' at row 7: field ")


def test_vocabulary_is_normalised_and_unknown_words_are_kept_for_review():
    record = build_record(
        {
            **BASE,
            "level": "省级",
            "media_type": "课件",
            "subject": "數學",
            "grades": "初一;高一;幼儿园",
            "language": "中文",
        }
    )

    assert (record.level, record.media_type, record.subject) == (Level.PROVINCIAL, MediaType.COURSEWARE, "math")
    assert (record.grades, record.stages, record.language) == ((7, 10), ("junior", "senior"), "zh")
    assert record.unrecognised == ("grade:幼儿园",)


def test_times_without_offset_are_read_in_the_given_zone_and_stored_as_utc():
    record = build_record({**BASE, "updated_at": "2020-02-17 08:00"}, default_tz=ZoneInfo("Asia/Shanghai"))

    assert record.updated_at == datetime(2020, 2, 17, 0, 0, tzinfo=UTC)


def test_a_deleted_record_needs_only_its_id():
    record = build_record({"external_id": "gone", "deleted": "是"})

    assert record.deleted and record.title == ""


def test_a_record_with_neither_id_nor_url_cannot_be_identified():
    with pytest.raises(RecordError, match="field 'external_id'"):
        build_record({"title": "无名"})
