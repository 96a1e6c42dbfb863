"""The bundled providers list and SAMPLE catalog."""

from __future__ import annotations

import json

from courses.catalogs import FEED_VERSION, SAMPLE_DIR, mobile_hosts, providers, sample_pages
from courses.sources.json_feed import FEED_VERSION as ADAPTER_FEED_VERSION


def test_the_committed_sample_files_are_what_the_generator_writes():
    pages = sample_pages()

    assert sorted(path.name for path in SAMPLE_DIR.glob("*.json")) == sorted(pages)
    for name, page in pages.items():
        assert json.loads((SAMPLE_DIR / name).read_text(encoding="utf-8")) == page, name
    assert FEED_VERSION == ADAPTER_FEED_VERSION


def test_every_sample_page_and_item_is_marked_as_sample_data():
    for page in sample_pages().values():
        assert page["sample"] is True
        for item in page["items"]:
            assert item["sample"] is True
            assert item["url"].startswith("https://example.org/kexu-sample/")
            assert item["description"].endswith("示例数据，并非真实课程。")


def test_the_providers_list_holds_the_national_platforms():
    by_host = {host: p for p in providers() for host in p["hosts"]}

    assert by_host["ykt.eduyun.cn"]["name"] == "国家中小学网络云平台"
    assert by_host["ykt.eduyun.cn"]["opened"] == "2020-02-17"
    assert by_host["basic.smartedu.cn"]["name"] == "国家中小学智慧教育平台"
    assert {p["name"] for p in providers()} >= {"爱课程/中国大学MOOC", "学堂在线", "上海空中课堂"}
    assert mobile_hosts()["m.icourse163.org"] == "www.icourse163.org"
