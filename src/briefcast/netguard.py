"""Outbound HTTP to addresses listeners give us (webhooks, push endpoints), made safe.

A URL a listener registers must not turn the server into a proxy for the
inside of its own network. Every address a host name resolves to is checked
— loopback, private, link-local (which holds the cloud metadata service),
shared, reserved and IPv4-in-IPv6 forms are refused — at registration and
again at delivery, and the request is then *pinned* to the checked address:
the connection goes to that IP, with the original name in ``Host`` and in
TLS SNI (so certificates are still checked against the name). A name that
resolves somewhere else between the check and the connection (DNS
rebinding) gains nothing. Redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from briefcast.errors import InvalidInput, ProviderUnavailable

__all__ = ["Resolver", "Target", "UnsafeUrl", "check_url", "is_public", "pinned_post"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]

# Not in a well-formed URL (RFC 3986 has them percent-encoded); urlsplit would let them through.
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x20\x7f]")


class UnsafeUrl(InvalidInput):
    """A URL that is malformed or points at an address we refuse to call."""

    code = "unsafe_url"


@dataclass(frozen=True)
class Target:
    """A checked URL: its parts and the addresses it may be reached at."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeUrl(f"the host name {host!r} does not resolve") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is a globally routable unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or _teredo_client(address)
        if embedded is not None and not is_public(embedded):
            return False
    return address.is_global and not address.is_multicast


def _teredo_client(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    teredo = address.teredo
    return teredo[1] if teredo else None


def check_url(url: str, *, allow_local: bool, resolve: Resolver = system_resolver) -> Target:
    """Parse ``url`` and resolve its host; refuse it unless every address is public.

    With ``allow_local`` (development and tests) any address is accepted, but
    the host must still resolve.
    """
    if _UNSAFE_CHARACTERS.search(url):
        raise UnsafeUrl("the URL contains spaces or control characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("the URL must be an absolute http:// or https:// URL")
    if len(url) > 2000:
        raise UnsafeUrl("the URL is longer than 2000 characters")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeUrl("the URL has an invalid port") from exc
    host = parts.hostname
    addresses = [_parse_ip(a) for a in resolve(host, port)]
    if not addresses:
        raise UnsafeUrl(f"the host name {host!r} does not resolve")
    refused = [a for a in addresses if not is_public(a)]
    if refused and not allow_local:
        raise UnsafeUrl(
            f"{host} resolves to {refused[0]}, a loopback, private, link-local or "
            "otherwise non-public address; it cannot receive notifications"
        )
    return Target(url, parts.scheme, host, port, tuple(str(a) for a in addresses))


def _parse_ip(text: str) -> IPAddress:
    # getaddrinfo may append a zone to link-local IPv6 ("fe80::1%eth0").
    return ipaddress.ip_address(text.split("%", 1)[0])


def pinned_post(
    url: str,
    *,
    content: bytes,
    headers: Mapping[str, str],
    timeout: float,
    allow_local: bool,
    resolve: Resolver = system_resolver,
) -> httpx.Response:
    """POST ``content`` to ``url`` at an address checked just now; no redirects.

    Connection failures and timeouts raise :class:`ProviderUnavailable`; an
    unsafe URL raises :class:`UnsafeUrl`. Any HTTP status is returned.
    """
    target = check_url(url, allow_local=allow_local, resolve=resolve)
    address = target.addresses[0]
    literal = f"[{address}]" if ":" in address else address
    parts = urlsplit(url)
    netloc = f"{literal}:{target.port}"
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = target.host if parts.port is None else f"{target.host}:{parts.port}"
    if ":" in target.host:  # an IPv6 literal host keeps its brackets in Host
        host_header = f"[{target.host}]" + (f":{parts.port}" if parts.port else "")
    extensions = {"sni_hostname": target.host} if parts.scheme == "https" else {}
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            request = client.build_request(
                "POST",
                pinned,
                content=content,
                headers={**headers, "Host": host_header},
                extensions=extensions,
            )
            return client.send(request)
    except httpx.TimeoutException as exc:
        raise ProviderUnavailable(f"{target.host} did not answer in time") from exc
    except httpx.TransportError as exc:
        raise ProviderUnavailable(f"could not reach {target.host}: {type(exc).__name__}") from exc
