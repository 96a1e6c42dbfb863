"""Synthetic catalog for the benchmark: lessons with known duplicate groups, as Kexu JSON feeds.

Each group is one lesson; its copies go to different sources (national, provincial, school)
and differ the way real republications do: the same URL with tracking parameters, another
host case or scheme, or another URL with the title in full-width/traditional characters and
the edition under its publisher's name. Hard negatives share a title with another group but
differ in edition or grade: they must stay apart. Deterministic for a seed.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SUBJECTS = [("数学", "math"), ("语文", "chinese"), ("英语", "english"), ("物理", "physics"), ("化学", "chemistry"),
            ("生物", "biology"), ("历史", "history"), ("地理", "geography")]  # fmt: skip
ZH_TOPICS = [
    "函数",
    "方程",
    "数学",
    "几何",
    "三角形",
    "概率",
    "统计",
    "向量",
    "数列",
    "导数",
    "诗词",
    "文言文",
    "作文",
    "阅读",
    "力学",
    "电路",
    "光学",
    "能量",
    "分子",
    "细胞",
    "遗传",
    "生态",
    "朝代",
    "革命",
    "地形",
    "气候",
    "河流",
    "人口",
    "城市",
    "化学",
    "反应",
    "溶液",
    "元素",
    "实验",
    "复习",
    "单元",
    "专题",
    "练习",
]
EN_TOPICS = [
    "function",
    "equation",
    "geometry",
    "triangle",
    "probability",
    "statistics",
    "vector",
    "sequence",
    "reading",
    "writing",
    "grammar",
    "vocabulary",
    "listening",
    "force",
    "circuit",
    "light",
    "energy",
    "molecule",
    "cell",
    "ecology",
    "climate",
    "river",
    "review",
    "practice",
    "unit",
    "project",
    "experiment",
    "graph",
]
EDITIONS = [
    ("人教版", "人民教育出版社"),
    ("北师大版", "北京师范大学出版社"),
    ("苏教版", "江苏教育出版社"),
    ("外研版", "外研版"),
]
GRADE_NAMES = {1: "一年级", 2: "二年级", 3: "三年级", 4: "四年级", 5: "五年级", 6: "六年级", 7: "七年级",
               8: "八年级", 9: "九年级", 10: "高一", 11: "高二", 12: "高三"}  # fmt: skip
TRADITIONAL = str.maketrans(
    "数学语文历习练单元专题实验复导电细遗传态气候结论", "數學語文歷習練單元專題實驗複導電細遺傳態氣候結論"
)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
SOURCES = ("national", "provincial", "school")


def _title(rng: random.Random, serial: int, english: bool) -> str:
    if english:
        first, second = rng.sample(EN_TOPICS, 2)
        return f"Lesson {serial}: {first.title()} and {second} 第{serial % 40 + 1}课"
    first, second = rng.sample(ZH_TOPICS, 2)
    return f"{first}与{second}（第{serial}讲）"


def _lesson(rng: random.Random, serial: int) -> dict:
    subject_zh, subject_en = SUBJECTS[serial % len(SUBJECTS)]
    grade = rng.randint(1, 12)
    edition = rng.choice(EDITIONS)
    english = subject_en == "english" or rng.random() < 0.15
    title = _title(rng, serial, english)
    chapter = f"第{serial % 12 + 1}章 {rng.choice(ZH_TOPICS)}"
    return {"title": title, "subject": subject_zh, "grade": grade, "edition": edition, "chapter": chapter,
            "duration": rng.choice((15, 20, 25, 30, 40, 45, 90)), "subject_en": subject_en}  # fmt: skip


def _item(lesson: dict, external_id: str, url: str, *, edition: str, title: str) -> dict:
    grade_name = GRADE_NAMES[lesson["grade"]]
    return {
        "id": external_id,
        "title": title,
        "url": url,
        "description": f"{grade_name}{lesson['subject']}（{edition}）{lesson['chapter']}：{title}。"
        f"A {lesson['subject_en']} lesson for grade {lesson['grade']}.",
        "subject": lesson["subject"],
        "grades": [grade_name],
        "edition": edition,
        "chapter": lesson["chapter"],
        "duration": lesson["duration"],
        "media_type": "video",
        "updated": f"2020-02-{10 + lesson['grade']:02d}T08:00:00+08:00",
    }


def generate(total: int = 100_000, seed: int = 2020) -> tuple[dict[str, list[dict]], dict[tuple[str, str], int]]:
    """Items per source level, and (source level, external id) -> duplicate group."""
    rng = random.Random(seed)
    feeds: dict[str, list[dict]] = {name: [] for name in SOURCES}
    group_of: dict[tuple[str, str], int] = {}
    count, group = 0, 0
    while count < total:
        group += 1
        lesson = _lesson(rng, group)
        size = min(rng.choices((1, 2, 3), weights=(60, 25, 15))[0], total - count)
        levels = rng.sample(SOURCES, size)
        canonical_url = f"https://ykt.example.cn/lesson/{group}"
        for copy, level in enumerate(levels):
            external_id = f"{level[0]}{group}"
            edition, publisher = lesson["edition"]
            title, url = lesson["title"], canonical_url
            if copy:
                if rng.random() < 0.5:  # republished link: tracking parameters, case, scheme
                    url = f"http://YKT.example.cn/lesson/{group}/?utm_source={level}&spm=1.2"
                else:  # re-uploaded copy: own URL, title and edition written differently
                    url = f"https://{level}.example.cn/res/{group}-{copy}"
                    title = title.translate(TRADITIONAL if copy == 1 else FULL_WIDTH)
                    edition = publisher
            feeds[level].append(_item(lesson, external_id, url, edition=edition, title=title))
            group_of[(level, external_id)] = group
            count += 1
        if rng.random() < 0.03 and count < total:  # a hard negative: same title, another edition
            group += 1
            other = dict(lesson, edition=("沪教版", "上海教育出版社"))
            level = rng.choice(SOURCES)
            external_id = f"{level[0]}{group}"
            if (level, external_id) not in group_of:
                feeds[level].append(_item(other, external_id, f"https://{level}.example.cn/sh/{group}",
                                          edition="沪教版", title=lesson["title"]))  # fmt: skip
                group_of[(level, external_id)] = group
                count += 1
    return feeds, group_of


def write_feeds(feeds: dict[str, list[dict]], directory: Path, page_size: int = 2000) -> dict[str, Path]:
    """One paged Kexu JSON feed per level; returns the first page of each."""
    directory.mkdir(parents=True, exist_ok=True)
    first_pages = {}
    for level, items in feeds.items():
        chunks = [items[start : start + page_size] for start in range(0, len(items), page_size)] or [[]]
        for number, chunk in enumerate(chunks, start=1):
            next_name = f"{level}-{number + 1}.json" if number < len(chunks) else None
            page = {"version": "kexu-feed/1", "provider": f"{level} platform", "level": level,
                    "items": chunk, "next": next_name}  # fmt: skip
            path = directory / f"{level}-{number}.json"
            path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
            if number == 1:
                first_pages[level] = path
    return first_pages
