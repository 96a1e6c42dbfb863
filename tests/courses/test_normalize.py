"""Normalisation tables and canonical URLs."""

from __future__ import annotations

import pytest

from courses.normalize import (
    canonical_url,
    normalize_edition,
    normalize_grade,
    normalize_language,
    normalize_level,
    normalize_media_type,
    normalize_stage,
    normalize_subject,
    normalize_title,
    parse_duration_minutes,
    parse_stages_and_grades,
)


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("数学", "math"),
        ("數學", "math"),
        ("Mathematics", "math"),
        ("maths", "math"),
        ("ＭＡＴＨ", "math"),
        ("语文", "chinese"),
        ("道德与法治", "politics"),
        ("思想政治", "politics"),
        ("生物学", "biology"),
        ("Information Technology", "it"),
        ("体育与健康", "pe"),
        ("烹饪", None),
        ("", None),
    ],
)
def test_subject_names_in_chinese_and_english_map_to_one_code(word, code):
    assert normalize_subject(word) == code


@pytest.mark.parametrize(
    ("word", "grade"),
    [
        ("初一", 7),
        ("七年级", 7),
        ("7年级", 7),
        ("grade 7", 7),
        ("Grade７", 7),
        ("G7", 7),
        ("7th grade", 7),
        ("七年级上册", 7),
        ("初三", 9),
        ("高一", 10),
        ("高中二年级", 11),
        ("高三", 12),
        ("一年级", 1),
        ("十二年级", 12),
        (12, 12),
        ("13", None),
        ("高中", None),
    ],
)
def test_grade_words_map_to_grade_numbers(word, grade):
    assert normalize_grade(word) == grade


@pytest.mark.parametrize(
    ("word", "stage"),
    [
        ("高中", "senior"),
        ("Senior High School", "senior"),
        ("初中", "junior"),
        ("小学", "primary"),
        ("高校", "university"),
    ],
)
def test_stage_words_map_to_stages(word, stage):
    assert normalize_stage(word) == stage


def test_grades_imply_their_stage_and_ranges_expand():
    assert parse_stages_and_grades(["7-9"]) == (("junior",), (7, 8, 9), [])
    assert parse_stages_and_grades(["高中", "初一", "特教"]) == (("junior", "senior"), (7,), ["特教"])


@pytest.mark.parametrize(
    ("normalise", "word", "code"),
    [
        (normalize_level, "国家级", "national"),
        (normalize_level, "区级", "municipal"),
        (normalize_level, "校本", "school"),
        (normalize_media_type, "微课", "video"),
        (normalize_media_type, "video/mp4", "video"),
        (normalize_media_type, "application/pdf", "document"),
        (normalize_media_type, "MovingImage", "video"),
        (normalize_media_type, "电子教材", "textbook"),
        (normalize_media_type, "慕课", "mooc"),
        (normalize_language, "zh-CN", "zh"),
        (normalize_language, "普通话", "zh"),
        (normalize_language, "fr", "fr"),
        (normalize_edition, "人民教育出版社", "人教"),
        (normalize_edition, "人教版", "人教"),
        (normalize_edition, "部编版", "统编"),
        (normalize_edition, "湘少版", "湘少"),
    ],
)
def test_vocabulary_tables(normalise, word, code):
    assert normalise(word) == code


@pytest.mark.parametrize(
    ("text", "minutes"),
    [(20, 20), ("20", 20), ("20分钟", 20), ("1小时30分", 90), ("PT45M", 45), ("00:20:00", 20), ("45 min", 45)],
)
def test_durations_are_read_as_minutes(text, minutes):
    assert parse_duration_minutes(text) == minutes


def test_titles_compare_equal_across_width_script_case_and_punctuation():
    assert (
        normalize_title("第１課　一元二次方程（一）")
        == normalize_title("第1课 一元二次方程(一)")
        == "第1课一元二次方程一"
    )
    assert normalize_title("Quadratic Equations!") == normalize_title("quadratic  equations")


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://Example.EDU.cn:443/Lessons/1/", "https://example.edu.cn/Lessons/1"),
        ("http://example.edu.cn:80/a", "http://example.edu.cn/a"),
        ("http://example.edu.cn:8080/a", "http://example.edu.cn:8080/a"),
        ("https://example.edu.cn/a?utm_source=wx&utm_medium=share&id=3", "https://example.edu.cn/a?id=3"),
        ("https://example.edu.cn/a?spm=a2h0k.1&from=timeline&isappinstalled=0", "https://example.edu.cn/a"),
        ("https://example.edu.cn/a?b=2&a=1", "https://example.edu.cn/a?a=1&b=2"),
        ("https://example.edu.cn/a#comments", "https://example.edu.cn/a"),
        ("https://example.edu.cn/#/course/7", "https://example.edu.cn#/course/7"),
        ("https://example.edu.cn/%E6%95%B0%E5%AD%A6", "https://example.edu.cn/%E6%95%B0%E5%AD%A6"),
        ("https://example.edu.cn/数学", "https://example.edu.cn/%E6%95%B0%E5%AD%A6"),
        ("https://example.edu.cn/", "https://example.edu.cn"),
    ],
)
def test_canonical_urls(url, canonical):
    assert canonical_url(url) == canonical


def test_mobile_hosts_map_to_desktop_only_where_declared():
    declared = {"m.icourse163.org": "www.icourse163.org"}

    assert canonical_url("https://m.icourse163.org/course/PKU-1", declared) == "https://www.icourse163.org/course/PKU-1"
    assert canonical_url("https://m.example.com/x", declared) == "https://m.example.com/x"


@pytest.mark.parametrize("url", ["ftp://example.edu.cn/a", "/relative/path", "mailto:a@b.cn", "https://"])
def test_non_http_urls_have_no_canonical_form(url):
    with pytest.raises(ValueError):
        canonical_url(url)
