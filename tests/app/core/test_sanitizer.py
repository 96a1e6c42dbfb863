"""The sanitizer lets formatting through and nothing that can run."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from jinja2 import Environment
from markupsafe import Markup

from app.core.sanitizer import RICH_TAGS, sanitize

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)"/>',
    '<p onclick="alert(1)">click</p>',
    '<a href="http://ok.example" onmouseover="alert(1)">x</a>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript&#x3A;alert(1)">x</a>',
    "<a href=javascript&colon;alert(1)>x</a>",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="http://x" title="&quot; onmouseover=&quot;alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="width: expression(alert(1))">x</p>',
    "<style>@import 'http://evil.example/x.css';</style>",
    '<link rel="stylesheet" href="http://evil.example/x.css">',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<video><source onerror=alert(1)></video>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<textarea><script>alert(1)</script></textarea>",
    "<img src=x onerror=alert(1)",
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    '"><script>alert(1)</script>',
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
]

TAGS_ALLOWED = {"rich": RICH_TAGS, "chat": {"a"}, "plain": set()}
SAFE_SCHEMES = {"", "http", "https", "mailto"}
# Browsers drop ASCII tabs and newlines anywhere in a URL and C0 controls and spaces around it.
URL_NOISE = re.compile(r"[\x00-\x20\x7f]")


class ExecutableFinder(HTMLParser):
    """Parses sanitized output as a browser would and lists anything that could run."""

    def __init__(self, allowed_tags):
        super().__init__(convert_charrefs=True)
        self.allowed_tags = allowed_tags
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.allowed_tags:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name not in {"href", "title", "rel"}:
                self.problems.append(f"attribute {name} on <{tag}>")
            if name == "href" and urlsplit(URL_NOISE.sub("", value or "")).scheme.lower() not in SAFE_SCHEMES:
                self.problems.append(f"href {value!r}")
        if tag == "a" and dict(attrs).get("rel") != "noopener nofollow":
            self.problems.append(f"link without rel: {attrs}")

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.problems.append(f"comment {data!r}")

    def unknown_decl(self, data):
        self.problems.append(f"declaration {data!r}")


def executable_parts(output: str, kind: str) -> list[str]:
    finder = ExecutableFinder(TAGS_ALLOWED[kind])
    finder.feed(output)
    finder.close()
    if re.search(r"<\s*/?\s*(script|style|iframe|svg|object|embed)", output, re.IGNORECASE):
        finder.problems.append("raw dangerous tag")
    return finder.problems


def visible_text(output: str) -> str:
    parts = []
    parser = HTMLParser(convert_charrefs=True)
    parser.handle_data = parts.append
    parser.feed(output)
    parser.close()
    return "".join(parts)


@pytest.mark.parametrize("kind", ["rich", "chat", "plain"])
@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_nothing_executable_survives(payload, kind):
    output = sanitize(payload, kind)
    assert executable_parts(output, kind) == [], output


def test_rich_text_keeps_its_formatting():
    html = (
        "<h3>第一周</h3><p><strong>阅读</strong> <em>第二章</em><br></p><ol><li>一</li></ol>"
        "<ul><li>二</li></ul><blockquote>引文</blockquote><h4>代码</h4><pre><code>x = 1</code></pre>"
    )
    assert sanitize(html, "rich") == html


def test_rich_links_keep_title_lose_target_and_gain_rel():
    output = sanitize('<a href="https://example.com/a" title="Notes" target="_blank">notes</a>', "rich")
    assert output == '<a href="https://example.com/a" title="Notes" rel="noopener nofollow">notes</a>'


def test_rich_text_turns_bare_urls_into_links_but_not_inside_code():
    output = sanitize("<p>See https://example.com/x</p><code>http://localhost/y</code>", "rich")
    assert '<a href="https://example.com/x" rel="noopener nofollow">https://example.com/x</a>' in output
    assert "<code>http://localhost/y</code>" in output


def test_rich_text_drops_other_tags_but_keeps_their_text():
    output = sanitize("<h1>Title</h1><div>Body <span>text</span></div>", "rich")
    assert "<" not in output
    assert visible_text(output).split() == ["Title", "Body", "text"]


def test_mail_links_are_allowed_in_rich_text():
    output = sanitize('<a href="mailto:teacher@school.example">mail</a>', "rich")
    assert 'href="mailto:teacher@school.example"' in output


def test_chat_shows_exactly_what_was_typed_with_links():
    message = "if a<b and c>d, see <b>https://example.com/q?x=1&y=2</b>"
    output = sanitize(message, "chat")
    assert visible_text(output) == message
    assert '<a href="https://example.com/q?x=1&amp;y=2" rel="noopener nofollow">' in output
    assert "<b>" not in output


def test_chat_links_leave_out_surrounding_punctuation():
    output = sanitize("Slides (https://example.com/s), notes: www.example.com.", "chat")
    assert '(<a href="https://example.com/s" rel="noopener nofollow">https://example.com/s</a>),' in output
    assert '<a href="http://www.example.com" rel="noopener nofollow">www.example.com</a>.' in output


def test_chat_does_not_link_other_schemes():
    output = sanitize("ftp://files.example/x and data:text/html,hi", "chat")
    assert "<a" not in output


def test_plain_strips_every_tag_and_escapes_the_rest():
    assert sanitize("<b>Bold</b> & <i>more</i>", "plain") == "Bold &amp; more"


def test_result_is_markup_so_templates_do_not_escape_it_twice():
    value = sanitize("Tom & Jerry", "plain")
    assert isinstance(value, Markup)
    assert Environment(autoescape=True).from_string("{{ value }}").render(value=value) == "Tom &amp; Jerry"


def test_empty_input_gives_empty_markup():
    assert sanitize(None) == "" and sanitize("", "chat") == ""


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        sanitize("x", "markdown")
