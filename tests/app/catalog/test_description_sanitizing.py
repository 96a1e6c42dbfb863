"""Harvested descriptions skip the HTML sanitizer only where it would change nothing."""

from hypothesis import given, settings
from hypothesis import strategies as st

from app.catalog.merging import rich_html
from app.core.sanitizer import sanitize

PIECES = st.sampled_from(
    ["数学", "函数", "　", "\xa0", "\u200b", "\x0b", "\x0c", "\r\n", "\n", "\t", "<b>", "</p>", "&amp;", "&", "<", ">",
     '"', "'", "=", "`", "example.com", "https://a.example.cn/x", "www.example.org", "a@b.cn", "\ufffd", "\ufdd0",
     "\x85", "\U00020000", "grade 8.", "A lesson.", "e.g. vectors"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=12).map("".join))
def test_a_description_reads_exactly_as_the_sanitizer_would_give_it(description):
    assert rich_html(description) == str(sanitize(description, "rich"))


def test_markup_and_links_still_go_through_the_sanitizer():
    assert rich_html('<p onclick="x()">二次函数</p>') == "<p>二次函数</p>"
    assert 'href="https://a.example.cn/x"' in rich_html("见 https://a.example.cn/x")
    assert rich_html("八年级数学（人教版）：一次函数。A math lesson for grade 8.") == (
        "八年级数学（人教版）：一次函数。A math lesson for grade 8."
    )
