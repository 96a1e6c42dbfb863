"""Sources are fetched only from addresses the policy allows: by default public ones, checked on
the URL, on every redirect and on the address each connection is opened to."""

from __future__ import annotations

import pytest

from courses.sources import STRICT, AddressRefused, SourceError, make_source
from courses.sources.netguard import check_url
from tests.courses.conftest import LAN

FEED = b'{"version": "kexu-feed/1", "items": [{"id": "a", "title": "t", "url": "https://e.cn/a"}], "next": null}'


@pytest.mark.parametrize(
    "url, kind",
    [
        ("http://127.0.0.1:8080/feed.json", "loopback"),
        ("http://[::1]/feed.json", "loopback"),
        ("http://[::ffff:127.0.0.1]/feed.json", "loopback"),
        ("http://2130706433/feed.json", "loopback"),  # 127.0.0.1 written as one number
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://100.100.100.200/latest/meta-data/", "metadata"),
        ("http://[fe80::1]/", "link_local"),
        ("http://10.1.2.3/", "private"),
        ("http://172.16.0.9/", "private"),
        ("http://192.168.1.20/", "private"),
        ("https://[fd12:3456::1]/", "private"),
        ("http://0.0.0.0:5000/", "not_host"),
        ("ftp://example.org/feed.csv", "scheme"),
        ("file:///etc/passwd", "scheme"),
    ],
)
def test_the_default_policy_refuses_the_servers_own_internal_and_metadata_addresses(url, kind):
    with pytest.raises(AddressRefused) as refused:
        check_url(url, STRICT)
    assert refused.value.kind == kind and str(refused.value).startswith(f"refused {url}: ")


def test_public_and_unresolvable_addresses_pass_the_check():
    check_url("https://8.8.8.8/feed.json", STRICT)
    check_url("https://[2400:3200::1]/feed.json", STRICT)
    check_url("https://no-such-host.invalid/feed.json", STRICT)  # the fetch reports it


def test_allowing_private_addresses_still_refuses_the_metadata_and_link_local_ones():
    check_url("http://127.0.0.1/feed.json", LAN)
    check_url("http://192.168.1.20/feed.json", LAN)
    for url in ("http://169.254.169.254/", "http://100.100.100.200/", "http://[fd00:ec2::254]/", "http://[fe80::1]/"):
        with pytest.raises(AddressRefused):
            check_url(url, LAN)


@pytest.mark.parametrize("type_name", ["json", "csv", "rss", "oai_pmh"])
def test_every_adapter_refuses_a_loopback_feed_by_default_without_sending_a_request(feed_server, type_name):
    url = feed_server.route("/feed", FEED, "application/json")
    with pytest.raises(AddressRefused, match=r"127\.0\.0\.1 is a loopback address of the server"):
        list(make_source(type_name, {"url": url}).fetch())
    assert feed_server.requests == []


def test_a_host_name_resolving_to_a_private_address_is_refused(fake_dns):
    fake_dns["intranet.school.example"] = ["10.20.30.40"]
    with pytest.raises(SourceError, match="intranet.school.example resolves to 10.20.30.40, a private network address"):
        list(make_source("json", {"url": "http://intranet.school.example/feed.json"}).fetch())


def test_a_name_answering_a_public_and_a_private_address_is_refused(fake_dns):
    fake_dns["mixed.example"] = ["1.1.1.1", "93.184.216.34", "192.168.0.5"]
    with pytest.raises(AddressRefused, match="192.168.0.5"):
        check_url("https://mixed.example/feed.json")


def test_a_name_that_turns_private_between_the_check_and_the_connection_is_refused(fake_dns):
    """DNS rebinding: the first answer is public, the one the connection gets is the loopback."""
    fake_dns["rebind.example"] = [["93.184.216.34"], ["127.0.0.1"]]
    with pytest.raises(SourceError, match="rebind.example resolves to 127.0.0.1, a loopback address"):
        list(make_source("json", {"url": "http://rebind.example/feed.json"}).fetch())
    assert fake_dns["lookups"] == ["rebind.example", "rebind.example"]


def test_a_redirect_to_the_metadata_address_is_refused_even_where_private_addresses_are_allowed(feed_server):
    url = feed_server.redirect("/feed.json", "http://169.254.169.254/latest/meta-data/")
    with pytest.raises(AddressRefused) as refused:
        list(make_source("json", {"url": url}, address_policy=LAN).fetch())
    assert str(refused.value) == (
        f"refused the redirect from {url} to http://169.254.169.254/latest/meta-data/: "
        "169.254.169.254 is a cloud metadata address"
    )


def test_a_public_feed_is_read_by_default(public_feed_server):
    public_feed_server.route("/feed.json", FEED, "application/json")
    (record,) = make_source("json", {"url": public_feed_server.public_url("/feed.json")}).fetch()
    assert record.external_id == "a"


def test_a_public_feed_redirecting_to_a_private_name_or_a_file_is_refused(public_feed_server, fake_dns):
    fake_dns["files.lan"] = ["192.168.3.4"]
    public_feed_server.redirect("/a.csv", "http://files.lan/catalog.csv")
    public_feed_server.redirect("/b.rss", "file:///etc/passwd")
    with pytest.raises(AddressRefused, match=r"to http://files.lan/catalog.csv: files.lan resolves to 192.168.3.4"):
        list(make_source("csv", {"url": public_feed_server.public_url("/a.csv")}).fetch())
    with pytest.raises(AddressRefused, match="only http and https addresses are fetched"):
        list(make_source("rss", {"url": public_feed_server.public_url("/b.rss")}).fetch())
    assert public_feed_server.requests == ["/a.csv", "/b.rss"]


def test_a_redirect_to_an_allowed_address_is_followed(feed_server):
    target = feed_server.route("/moved.json", FEED, "application/json")
    url = feed_server.redirect("/feed.json", target)
    (record,) = make_source("json", {"url": url}, address_policy=LAN).fetch()
    assert record.external_id == "a" and feed_server.requests == ["/feed.json", "/moved.json"]
