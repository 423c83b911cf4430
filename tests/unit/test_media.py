from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from briefcast.media import MediaSigner


def _parts(url: str) -> tuple[str, int, str]:
    parsed = urlparse(url)
    query = parse_qs(parsed.query)
    return parsed.path.removeprefix("/media/"), int(query["expires"][0]), query["signature"][0]


def test_signed_url_verifies_until_it_expires() -> None:
    signer = MediaSigner(b"s3cret")
    key, expires, signature = _parts(signer.url("episodes/u/p/episode.mp3", 60, now=1000.0))
    assert key == "episodes/u/p/episode.mp3" and expires == 1060
    assert signer.verify(key, expires, signature, now=1059.0)
    assert not signer.verify(key, expires, signature, now=1061.0)


def test_tampering_with_key_expiry_or_secret_fails() -> None:
    signer = MediaSigner(b"s3cret")
    key, expires, signature = _parts(signer.url("episodes/u/p/episode.mp3", 60, now=1000.0))
    assert not signer.verify("episodes/other/p/episode.mp3", expires, signature, now=1000.0)
    assert not signer.verify(key, expires + 3600, signature, now=1000.0)
    assert not MediaSigner(b"other").verify(key, expires, signature, now=1000.0)
