"""Which addresses a catalog source may be fetched from: the guard against server-side requests.

Source URLs are typed in by academic affairs and fetched by the server, so without a guard a URL
(or a redirect, or a host name) could make the server read its own loopback services, the cloud
metadata address or the school's internal network and show the answer in the run history.

One :class:`AddressPolicy` says what is allowed; the app builds it from its settings. The check
runs in three places, all here: :func:`check_url` when a source is saved (and before every
request), on every redirect, and again on the address each connection is really opened to, so a
name that resolved to a public address when checked and to a private one a moment later (DNS
rebinding) is still refused.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from courses.sources.errors import SourceError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = ("http", "https")

# Instance metadata endpoints outside the link-local range (which is refused as a whole):
# Alibaba Cloud ECS and AWS over IPv6. They are refused even where private addresses are allowed.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(text) for text in ("169.254.169.254", "100.100.100.200", "fd00:ec2::254")
)

# Refusal kinds (the app words each one for the form), and how the run history says them.
SCHEME, METADATA, LINK_LOCAL, NOT_HOST, LOOPBACK, PRIVATE = (
    "scheme", "metadata", "link_local", "not_host", "loopback", "private",
)  # fmt: skip
DESCRIPTIONS = {
    METADATA: "a cloud metadata address",
    LINK_LOCAL: "a link-local address",
    NOT_HOST: "not a host address",
    LOOPBACK: "a loopback address of the server",
    PRIVATE: "a private network address",
}
PRIVATE_KINDS = frozenset({LOOPBACK, PRIVATE})


@dataclass(frozen=True)
class AddressPolicy:
    """What a source may be fetched from. By default only public addresses.

    ``allow_private`` admits loopback and private networks (10/8, 172.16/12, 192.168/16,
    fc00::/7, 100.64/10 ...) for a school whose resource server is on its own network; the
    metadata and link-local addresses stay refused even then: no resource server lives there.
    """

    allow_private: bool = False

    def refusal(self, address: IPAddress) -> str | None:
        """The refusal kind for ``address`` under this policy, or None when it may be fetched."""
        kind = address_kind(address)
        if kind is None or (self.allow_private and kind in PRIVATE_KINDS):
            return None
        return kind


STRICT = AddressPolicy()


def address_kind(address: IPAddress) -> str | None:
    """What kind of non-public address ``address`` is (None: a public one)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 reaches 127.0.0.1
    if address in METADATA_ADDRESSES:
        return METADATA
    if address.is_link_local:
        return LINK_LOCAL
    if address.is_unspecified or address.is_multicast:
        return NOT_HOST  # 0.0.0.0 reaches the server itself on Linux
    if address.is_loopback:
        return LOOPBACK
    if not address.is_global:
        return PRIVATE
    return None


class AddressRefused(SourceError):
    """A URL the policy does not allow; ``kind`` says why, ``address`` is the address refused."""

    def __init__(self, url: str, kind: str, *, host: str = "", address: IPAddress | None = None,
                 redirected_from: str | None = None):  # fmt: skip
        self.url, self.kind, self.host, self.address = url, kind, host, address
        self.redirected_from = redirected_from
        if kind == SCHEME:
            detail = "only http and https addresses are fetched"
        elif address is not None and host and host != str(address):
            detail = f"{host} resolves to {address}, {DESCRIPTIONS[kind]}"
        else:
            detail = f"{address} is {DESCRIPTIONS[kind]}"
        if kind in PRIVATE_KINDS:
            detail += " (allowed only where the server is set up to fetch from the school's own network)"
        where = f"the redirect from {redirected_from} to {url}" if redirected_from else url
        super().__init__(f"refused {where}: {detail}")


def lookup_addresses(host: str, port: int) -> list[tuple[int, IPAddress]]:
    """(address family, address) pairs ``host`` resolves to, in the resolver's order.

    Raises socket.gaierror when the name does not resolve. One function, so tests can stand in
    for DNS and so the check and the connection use the very same answer.
    """
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    pairs: list[tuple[int, IPAddress]] = []
    for family, _type, _proto, _name, sockaddr in answers:
        # Drop an IPv6 zone ("fe80::1%eth0"): the address decides, not the interface.
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if (family, address) not in pairs:
            pairs.append((family, address))
    return pairs


def _checked(host: str, port: int, policy: AddressPolicy, url: str, redirected_from=None) -> list:
    """Every address of ``host``, or AddressRefused when any one is refused (a name that
    answers with a public and a private address could be steered to the private one)."""
    literal = host.strip("[]")
    try:
        pairs = [(0, ipaddress.ip_address(literal))]
    except ValueError:
        pairs = lookup_addresses(host, port)
    for _family, address in pairs:
        kind = policy.refusal(address)
        if kind is not None:
            raise AddressRefused(url, kind, host=literal, address=address, redirected_from=redirected_from)
    return pairs


def check_url(url: str, policy: AddressPolicy = STRICT, *, redirected_from: str | None = None) -> None:
    """Raise AddressRefused unless ``url`` is http(s) and its host is allowed by ``policy``.

    A name that does not resolve passes: saving a source must not depend on the DNS of the
    moment, and fetching it reports the failure anyway.
    """
    parts = urlsplit(str(url))
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise AddressRefused(str(url), SCHEME, redirected_from=redirected_from)
    if not parts.hostname:
        raise SourceError(f"no host name in {url}")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise SourceError(f"not a valid port in {url}") from None
    try:
        _checked(parts.hostname, port, policy, str(url), redirected_from)
    except (OSError, UnicodeError):
        return


class _GuardedConnectionMixin:
    """Opens the connection only to an address the policy allows, resolved once, right here."""

    address_policy: AddressPolicy = STRICT

    def _new_conn(self):
        scheme = "https" if isinstance(self, HTTPSConnection) else "http"
        url = f"{scheme}://{self.host}:{self.port}"
        try:
            pairs = _checked(self._dns_host, self.port, self.address_policy, url)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        error: Exception | None = None
        for _family, address in pairs:
            try:
                # Connecting to the checked address itself: a second lookup could answer otherwise.
                return urllib3_connection.create_connection(
                    (str(address), self.port), self.timeout,
                    source_address=self.source_address, socket_options=self.socket_options,
                )  # fmt: skip
            except TimeoutError as exc:
                error = ConnectTimeoutError(self, f"Connection to {self.host} timed out. (timeout={self.timeout})")
                error.__cause__ = exc
            except OSError as exc:
                error = NewConnectionError(self, f"Failed to establish a new connection: {exc}")
                error.__cause__ = exc
        raise error or NewConnectionError(self, f"no address for {self.host}")


@cache
def _pool_classes(policy: AddressPolicy) -> dict[str, type]:
    """urllib3 pool classes whose connections apply ``policy`` (one set per policy)."""
    mixin = type("PolicyMixin", (_GuardedConnectionMixin,), {"address_policy": policy})
    http_connection = type("GuardedHTTPConnection", (mixin, HTTPConnection), {})
    https_connection = type("GuardedHTTPSConnection", (mixin, HTTPSConnection), {})
    return {
        "http": type("GuardedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http_connection}),
        "https": type("GuardedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https_connection}),
    }


class GuardedAdapter(HTTPAdapter):
    """A requests adapter that checks each URL before sending and each address it connects to.

    Through an HTTP proxy (HTTP(S)_PROXY) the connection goes to the proxy, so there the check
    before sending, on the name as this server resolves it, is the one that applies.
    """

    def __init__(self, policy: AddressPolicy, **kwargs):
        self.address_policy = policy
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _pool_classes(self.address_policy)

    def send(self, request, *args, **kwargs):
        check_url(request.url, self.address_policy)
        return super().send(request, *args, **kwargs)


class GuardedSession(requests.Session):
    """A requests session for source fetches: every request and every redirect is checked."""

    def __init__(self, policy: AddressPolicy = STRICT):
        super().__init__()
        self.address_policy = policy
        self.adapters.clear()
        for prefix in ("http://", "https://"):
            self.mount(prefix, GuardedAdapter(policy))

    def rebuild_auth(self, prepared_request, response) -> None:
        # requests calls this for every redirect it follows, before sending the next request:
        # the place to refuse it with a reason that names the redirect.
        check_url(prepared_request.url, self.address_policy, redirected_from=response.url)
        super().rebuild_auth(prepared_request, response)
