from __future__ import annotations

import ipaddress

import pytest

from briefcast.netguard import UnsafeUrl, check_url, is_public


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata service
        "100.100.100.200",  # shared address space (a metadata address elsewhere)
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fd00:ec2::254",  # IPv6 metadata service
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",  # 6to4 wrapping 127.0.0.1
    ],
)
def test_non_public_addresses(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


def resolver(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    return lambda host, port: table[host]


def test_every_resolved_address_must_be_public() -> None:
    resolve = resolver(
        {"mixed.example": ["93.184.215.14", "10.0.0.7"], "ok.example": ["93.184.215.14"]}
    )
    with pytest.raises(UnsafeUrl, match=r"10\.0\.0\.7"):
        check_url("https://mixed.example/hook", allow_local=False, resolve=resolve)
    target = check_url("https://ok.example:8443/hook?x=1", allow_local=False, resolve=resolve)
    assert (target.host, target.port, target.addresses) == ("ok.example", 8443, ("93.184.215.14",))


def test_a_name_resolving_to_loopback_is_refused() -> None:
    resolve = resolver({"sneaky.example": ["127.0.0.1"]})
    with pytest.raises(UnsafeUrl, match="non-public"):
        check_url("http://sneaky.example/", allow_local=False, resolve=resolve)
    assert check_url("http://sneaky.example/", allow_local=True, resolve=resolve).addresses == (
        "127.0.0.1",
    )


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/x",
        "file:///etc/passwd",
        "//example.org",
        "https://",
        "http://a:99999/",
        "https://example.org/\x00",  # PostgreSQL cannot even store this
        "https://example.org/a b",
        "https://example.org/hook\n",
        "https://exa\tmple.org/",
        "https://example.org/\x7f",
    ],
)
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        check_url(
            url, allow_local=True, resolve=resolver({"example.org": ["8.8.8.8"], "a": ["8.8.8.8"]})
        )
