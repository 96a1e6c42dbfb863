"""RSS 2.0 and Atom through feedparser, served by a real local server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from courses.records import MediaType, RecordError, ResourceRecord
from courses.sources import make_source
from courses.sources.base import SourceError
from tests.courses.conftest import LAN

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"
     xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel>
  <title>某区空中课堂</title>
  <link>https://example.edu.cn/</link>
  <language>zh-CN</language>
  <item>
    <guid>lesson-101</guid>
    <title>一元二次方程的解法</title>
    <link>https://example.edu.cn/lessons/101?utm_source=rss</link>
    <description>&lt;p&gt;本课学习&lt;b&gt;配方法&lt;/b&gt;。&lt;/p&gt;</description>
    <category>数学</category>
    <category>初三</category>
    <category>直播回放</category>
    <pubDate>Mon, 17 Feb 2020 08:00:00 +0800</pubDate>
    <enclosure url="https://cdn.example.edu.cn/101.mp4" type="video/mp4" length="1000"/>
    <media:thumbnail url="https://cdn.example.edu.cn/101.jpg"/>
    <itunes:duration>00:20:00</itunes:duration>
  </item>
  <item>
    <guid>lesson-102</guid>
    <title>古诗三首</title>
    <enclosure url="https://cdn.example.edu.cn/102.mp3" type="audio/mpeg" length="1000"/>
    <pubDate>Tue, 18 Feb 2020 08:00:00 +0800</pubDate>
  </item>
  <item>
    <guid>lesson-103</guid>
    <link>https://example.edu.cn/lessons/103</link>
  </item>
</channel>
</rss>
"""

ATOM_PAGE = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Open courseware</title>
  <id>urn:example:feed</id>
  <updated>2020-03-01T00:00:00Z</updated>
  {next_link}
  <entry>
    <id>urn:example:{entry_id}</id>
    <title>{title}</title>
    <link rel="alternate" href="https://example.org/courses/{entry_id}"/>
    <summary>An introduction.</summary>
    <category term="Physics"/>
    <category term="senior high"/>
    <updated>{updated}</updated>
  </entry>
</feed>
"""


def test_rss_items_map_to_records(feed_server):
    url = feed_server.route("/rss.xml", RSS, "application/rss+xml; charset=utf-8")

    results = list(make_source("rss", {"url": url}, address_policy=LAN).fetch())

    lesson, poem, error = results
    assert isinstance(lesson, ResourceRecord)
    assert (lesson.external_id, lesson.title, lesson.description) == (
        "lesson-101",
        "一元二次方程的解法",
        "本课学习配方法。",
    )
    assert (lesson.subject, lesson.grades, lesson.stages) == ("math", (9,), ("junior",))
    assert (lesson.media_type, lesson.duration_minutes) == (MediaType.VIDEO, 20)
    assert lesson.thumbnail_url == "https://cdn.example.edu.cn/101.jpg"
    assert lesson.updated_at == datetime(2020, 2, 17, 0, 0, tzinfo=UTC)
    assert (lesson.provider, lesson.language) == ("某区空中课堂", "zh")
    # An item with only an enclosure links to the enclosure itself.
    assert (poem.url, poem.media_type) == ("https://cdn.example.edu.cn/102.mp3", MediaType.AUDIO)
    assert isinstance(error, RecordError) and error.field == "title" and error.external_id == "lesson-103"


def test_atom_feeds_are_paged_through_rel_next_links(feed_server):
    first = feed_server.route(
        "/atom.xml",
        ATOM_PAGE.format(
            next_link='<link rel="next" href="/atom-2.xml"/>',
            entry_id="mechanics",
            title="Mechanics",
            updated="2020-03-01T00:00:00Z",
        ),
        "application/atom+xml",
    )
    feed_server.route(
        "/atom-2.xml",
        ATOM_PAGE.format(next_link="", entry_id="optics", title="Optics", updated="2019-01-01T00:00:00Z"),
        "application/atom+xml",
    )

    everything = list(make_source("rss", {"url": first}, address_policy=LAN).fetch())
    recent = list(make_source("rss", {"url": first}, address_policy=LAN).fetch(since=datetime(2020, 1, 1, tzinfo=UTC)))

    assert [r.title for r in everything] == ["Mechanics", "Optics"]
    assert (everything[0].subject, everything[0].stages, everything[0].url) == (
        "physics",
        ("senior",),
        "https://example.org/courses/mechanics",
    )
    assert [r.title for r in recent] == ["Mechanics"]


def test_a_page_that_is_not_a_feed_fails_the_source(feed_server):
    url = feed_server.route("/rss.xml", "<html><body>Site under maintenance", "text/html")

    with pytest.raises(SourceError, match="not an RSS or Atom feed"):
        list(make_source("rss", {"url": url}, address_policy=LAN).fetch())


def test_a_slow_feed_times_out(feed_server):
    url = feed_server.route("/rss.xml", RSS, "application/rss+xml", delay=1.5)

    with pytest.raises(SourceError, match="timed out"):
        list(make_source("rss", {"url": url, "timeout": 0.3}, address_policy=LAN).fetch())
