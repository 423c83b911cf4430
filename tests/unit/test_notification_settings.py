from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from briefcast.errors import ConfigurationError
from briefcast.settings import Settings, load_settings
from briefcast.webpush import MAX_PLAINTEXT, VapidKeys, push_payload
from tests.unit.test_mail import notice


def test_notification_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BRIEFCAST_HOME", str(tmp_path))
    monkeypatch.setenv("BRIEFCAST_NOTIFY_RETRY_DELAYS", "1,5, 30")
    monkeypatch.setenv("BRIEFCAST_WEBHOOKS_ALLOW_LOCAL", "true")
    monkeypatch.setenv("BRIEFCAST_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("BRIEFCAST_SMTP_FROM", "news@example.org")
    monkeypatch.setenv("BRIEFCAST_SMTP_TLS", "ssl")
    monkeypatch.setenv("BRIEFCAST_PUBLIC_URL", "https://cast.example.org/")
    settings = load_settings()
    assert settings.notify_retry_delays == (1.0, 5.0, 30.0)
    assert settings.webhooks_allow_local is True
    assert settings.smtp_enabled and settings.smtp_tls == "ssl"
    assert settings.push_subject == "mailto:news@example.org"
    assert settings.public_link("/feeds/x.xml") == "https://cast.example.org/feeds/x.xml"


def test_local_addresses_are_refused_by_default() -> None:
    assert Settings().webhooks_allow_local is False
    assert not Settings().smtp_enabled


def test_bad_tls_mode_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFCAST_SMTP_TLS", "maybe")
    with pytest.raises(ConfigurationError, match="BRIEFCAST_SMTP_TLS"):
        load_settings()


def test_a_vapid_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    first, second = VapidKeys.load(settings), VapidKeys.load(settings)
    assert first.public_key == second.public_key
    assert len(base64.urlsafe_b64decode(first.public_key + "=")) == 65
    assert (tmp_path / "vapid_private.pem").stat().st_mode & 0o077 == 0


def test_a_configured_vapid_key_is_used(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    raw = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    settings = Settings(
        home=tmp_path, vapid_private_key=base64.urlsafe_b64encode(raw).decode().rstrip("=")
    )
    assert VapidKeys.load(settings).public_key == base64.urlsafe_b64encode(public).decode().rstrip(
        "="
    )
    assert not (tmp_path / "vapid_private.pem").exists()


def test_push_payload_fits_one_push_message_even_with_a_huge_title() -> None:
    assert len(push_payload(notice(title="x" * 10_000))) <= MAX_PLAINTEXT
    assert b'"podcast_id":"p1"' in push_payload(notice())
