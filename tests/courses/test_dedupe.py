"""De-duplication keys and explainable clustering."""

from __future__ import annotations

from courses.catalogs import load_sample, mobile_hosts
from courses.dedupe import CONTENT, URL, cluster, content_key, duplicate_pairs, url_key
from courses.records import build_record

LESSON = {
    "title": "二次函数的图像和性质",
    "subject": "数学",
    "grades": "九年级",
    "edition": "人教版",
    "chapter": "第二十二章 二次函数",
}


def record(external_id, url, **fields):
    return build_record({"external_id": external_id, "url": url, **fields})


def test_content_keys_ignore_width_script_and_edition_aliases():
    simplified = record("a", "https://a.cn/1", **LESSON)
    traditional_full_width = record(
        "b",
        "https://b.cn/2",
        title="二次函數的圖像和性質",
        subject="數學",
        grades="初三",
        edition="人民教育出版社",
        chapter="第二十二章　二次函數",
    )
    other_edition = record("c", "https://c.cn/3", **{**LESSON, "edition": "沪教版"})

    assert (
        content_key(simplified)
        == content_key(traditional_full_width)
        == "二次函数的图像和性质|math|9|人教|第二十二章二次函数"
    )
    assert content_key(other_edition) != content_key(simplified)


def test_a_bare_title_is_not_enough_for_a_content_key():
    assert content_key(record("a", "https://a.cn/1", title="第1课")) is None


def test_url_keys_ignore_scheme_tracking_and_declared_mobile_hosts():
    desktop = record("a", "https://www.icourse163.org/course/PKU-1", title="高等数学")
    mobile = record("b", "http://m.icourse163.org/course/PKU-1/?from=timeline&utm_source=wx", title="高等数学")

    assert url_key(desktop) == url_key(mobile, mobile_hosts()) == "www.icourse163.org/course/PKU-1"
    assert url_key(mobile) != url_key(desktop)  # undeclared: m. stays its own host


def labelled_set():
    """(records, expected duplicate groups) — a small hand-labelled set."""
    records = [
        record("a1", "https://ykt.eduyun.cn/l/1?spm=x.y", **LESSON),
        record("a2", "http://YKT.eduyun.cn/l/1/", title="二次函数图像与性质（回放）", subject="数学"),
        record("a3", "https://basic.smartedu.cn/l/9", **{**LESSON, "title": "二次函數的圖像和性質"}),
        record("b1", "https://www.icourse163.org/course/PKU-100", title="高等数学(上)", stages="大学"),
        record("b2", "https://m.icourse163.org/course/PKU-100?from=timeline", title="高等数学（上）手机版"),
        record("c1", "https://sh.example.cn/l/1", **{**LESSON, "edition": "沪教版"}),
        record("c2", "https://d.example.cn/l/1", **{**LESSON, "grades": "高一"}),
        record("c3", "https://e.example.cn/1", title="第1课", subject="数学", grades="七年级", chapter="第一章"),
        record("c4", "https://e.example.cn/2", title="第1课", subject="数学", grades="七年级", chapter="第二章"),
        record("c5", "https://f.example.cn/intro", title="Introduction"),
        record("c6", "https://g.example.cn/intro", title="Introduction"),
        build_record({"external_id": "d1", "url": "https://ykt.eduyun.cn/l/1", "deleted": True}),
    ]
    expected = {(0, 1), (0, 2), (1, 2), (3, 4)}
    return records, expected


def test_clustering_a_labelled_set_finds_every_duplicate_and_nothing_else():
    records, expected = labelled_set()

    found = duplicate_pairs(cluster(records, mobile_hosts=mobile_hosts()))

    true_positives = len(found & expected)
    precision, recall = true_positives / len(found), true_positives / len(expected)
    assert (precision, recall) == (1.0, 1.0)


def test_every_merge_says_which_key_matched():
    records, _expected = labelled_set()

    lesson, mooc = cluster(records, mobile_hosts=mobile_hosts())

    assert lesson.members == [0, 1, 2]
    assert [(m.first, m.second, m.key) for m in lesson.merges] == [(0, 1, URL), (0, 2, CONTENT)]
    assert lesson.reasons()[0] == "#0 and #1 share the url key 'ykt.eduyun.cn/l/1'"
    assert mooc.members == [3, 4] and mooc.merges[0].key == URL


def test_without_declared_mobile_hosts_or_content_keys_fewer_records_merge():
    records, _expected = labelled_set()

    assert duplicate_pairs(cluster(records)) == {(0, 1), (0, 2), (1, 2)}
    assert duplicate_pairs(cluster(records, use_content_key=False)) == {(0, 1)}


def test_the_sample_catalog_pairs_each_re_listed_lesson_and_keeps_shanghai_apart():
    records = load_sample()

    clusters = cluster(records, mobile_hosts=mobile_hosts())

    re_listed = [r for r in records if r.external_id.startswith("smartedu-")]
    assert len(clusters) == len(re_listed)
    for group in clusters:
        providers = sorted(records[i].provider for i in group.members)
        assert providers == ["国家中小学智慧教育平台", "国家中小学网络云平台"]
        assert [m.key for m in group.merges] == [CONTENT]
