"""Bundled catalog data: the real providers list and a generated SAMPLE lesson catalog.

The sample is written as Kexu JSON feed pages under ``sample/`` (one feed per provider, the
largest split into pages linked by ``next``) so it loads through the ordinary json adapter:
``load_sample()`` or ``sample_sources()``. Regenerate it with
``python -m courses.catalogs`` after editing :mod:`courses.catalogs.curriculum`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from courses.catalogs.curriculum import TOPICS, UNIVERSITY_COURSES, lessons_of
from courses.normalize import normalize_subject

HERE = Path(__file__).resolve().parent
SAMPLE_DIR = HERE / "sample"
SAMPLE_BASE_URL = "https://example.org/kexu-sample"
PAGE_SIZE = 100
FEED_VERSION = "kexu-feed/1"  # kept equal to courses.sources.json_feed.FEED_VERSION (tested)

GRADE_NAMES = {7: "七年级", 8: "八年级", 9: "九年级", 10: "高一", 11: "高二", 12: "高三"}
# What the other providers call the same edition: content keys must still meet.
EDITION_SYNONYMS = {"人教版": "人民教育出版社", "统编版": "部编版", "人教A版": "人教A版"}


def providers() -> list[dict]:
    """The real platforms (name, homepage, level, stages, dates and facts as reported)."""
    return json.loads((HERE / "providers.json").read_text(encoding="utf-8"))["providers"]


def mobile_hosts() -> dict[str, str]:
    """Mobile or bare host -> canonical host, as declared by the providers list."""
    merged: dict[str, str] = {}
    for provider in providers():
        merged.update(provider.get("mobile_hosts") or {})
    return merged


def sample_feed_paths() -> list[Path]:
    """First page of each bundled sample feed."""
    return sorted(path for path in SAMPLE_DIR.glob("*.json") if not path.stem.rsplit("-", 1)[-1].isdigit())


def sample_sources() -> list:
    """A json Source per bundled sample feed (local files allowed: the data ships with Kexu)."""
    from courses.sources import make_source  # here, so reading the providers list needs no adapters

    return [
        make_source("json", {"url": str(path)}, source_name=f"sample:{path.stem}", allow_local_files=True)
        for path in sample_feed_paths()
    ]


def load_sample() -> list:
    """Every record of the bundled SAMPLE catalog, read through the json adapter."""
    return [record for source in sample_sources() for record in source.fetch()]


def _lesson(key: str, code: str, subject: str, grade: int, edition: str, chapter: str, title: str, **extra) -> dict:
    grade_name = GRADE_NAMES[grade]
    item = {
        "id": f"{key}-{code}",
        "title": title,
        "url": f"{SAMPLE_BASE_URL}/{key}/{code}",
        "description": f"{grade_name}{subject}（{edition}）{chapter}：{title}。示例数据，并非真实课程。",
        "subject": subject,
        "grades": [grade_name],
        "edition": edition,
        "chapter": chapter or None,
        "media_type": "video",
        "language": "en" if subject == "英语" and grade >= 10 else "zh",
        "sample": True,
    }
    item.update(extra)
    return {k: v for k, v in item.items() if v is not None}


def generate_sample() -> dict[str, list[dict]]:
    """Provider key -> items. Deterministic: the same curriculum gives the same files."""
    feeds: dict[str, list[dict]] = {"ykt": [], "smartedu": [], "shanghai": [], "icourse163": [], "xuetangx": []}
    cloud_opened = datetime(2020, 2, 17, 8, 0, tzinfo=UTC) - timedelta(hours=8)  # 08:00 Beijing time
    smart_opened = datetime(2022, 3, 1, 1, 0, tzinfo=UTC)
    serial = 0
    for subject, grade, edition, topic in TOPICS:
        for number, (chapter, title) in enumerate(lessons_of(topic), start=1):
            serial += 1
            code = f"g{grade}-{subject_code(subject)}-{number:02d}"
            week = serial % 12  # lessons were released week by week from the opening day
            feeds["ykt"].append(
                _lesson(
                    "ykt", code, subject, grade, edition, chapter, title,
                    duration_minutes=20,
                    updated=(cloud_opened + timedelta(weeks=week, days=serial % 5)).isoformat(),
                )
            )  # fmt: skip
            if serial % 3 == 0:  # the 2022 platform re-lists part of the 2020 lessons
                feeds["smartedu"].append(
                    _lesson(
                        "smartedu", code, subject, grade, EDITION_SYNONYMS.get(edition, edition), chapter, title,
                        duration_minutes=20 + serial % 4 * 5,
                        media_type="视频",
                        updated=(smart_opened + timedelta(days=serial % 90)).isoformat(),
                    )
                )  # fmt: skip
            if serial % 7 == 0:  # Shanghai teaches from its own textbooks (沪教版): not duplicates
                feeds["shanghai"].append(
                    _lesson(
                        "shanghai", code, subject, grade, "沪教版", chapter, title,
                        duration_minutes=20 if grade <= 9 else 30,
                        updated=(datetime(2020, 3, 2, 0, 0, tzinfo=UTC) + timedelta(days=serial % 60)).isoformat(),
                    )
                )  # fmt: skip
    for index, (title, subject, key) in enumerate(UNIVERSITY_COURSES, start=1):
        feeds[key].append(
            {
                "id": f"{key}-course-{index:02d}",
                "title": title,
                "url": f"{SAMPLE_BASE_URL}/{key}/course-{index:02d}",
                "description": f"大学课程《{title}》。示例数据，并非真实课程。",
                "subject": subject,
                "stages": ["大学"],
                "media_type": "mooc",
                "language": "zh",
                "sample": True,
                "updated": datetime(2020, 2, 3, 0, 0, tzinfo=UTC).isoformat(),
            }
        )
    return feeds


def subject_code(subject: str) -> str:
    return normalize_subject(subject) or "other"


def sample_pages() -> dict[str, dict]:
    """File name -> feed page for every provider, split into PAGE_SIZE pages linked by ``next``."""
    by_key = {provider["key"]: provider for provider in providers()}
    pages: dict[str, dict] = {}
    for key, items in generate_sample().items():
        chunks = [items[start : start + PAGE_SIZE] for start in range(0, len(items), PAGE_SIZE)] or [[]]
        for number, chunk in enumerate(chunks, start=1):
            name = f"{key}.json" if number == 1 else f"{key}-{number}.json"
            next_name = f"{key}-{number + 1}.json" if number < len(chunks) else None
            pages[name] = {
                "version": FEED_VERSION,
                "provider": by_key[key]["name"],
                "level": by_key[key]["level"],
                "sample": True,
                "items": chunk,
                "next": next_name,
            }
    return pages


def write_sample(directory: Path = SAMPLE_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, page in sample_pages().items():
        path = directory / name
        path.write_text(json.dumps(page, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        written.append(path)
    return written
