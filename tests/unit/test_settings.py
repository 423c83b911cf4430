from __future__ import annotations

from pathlib import Path

import pytest

from briefcast.errors import ConfigurationError
from briefcast.settings import load_settings


def test_laptop_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BRIEFCAST_HOME", "BRIEFCAST_DATABASE_URL", "BRIEFCAST_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.home == Path("var")
    assert settings.sqlalchemy_url == f"sqlite:///{Path('var').resolve() / 'briefcast.sqlite3'}"
    assert (settings.writer, settings.voice, settings.storage) == ("template", "espeak", "local")
    assert settings.retry_delays == (60.0, 120.0, 240.0)
    assert settings.user_queue_limit == 3


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BRIEFCAST_HOME", str(tmp_path))
    monkeypatch.setenv("BRIEFCAST_DATABASE_URL", "postgresql://u:p@db:5432/briefcast")
    monkeypatch.setenv("BRIEFCAST_RETRY_DELAYS", "1, 2.5")
    settings = load_settings()
    assert settings.media_dir == tmp_path / "media"
    assert settings.sqlalchemy_url == "postgresql+psycopg://u:p@db:5432/briefcast"
    assert not settings.is_sqlite
    assert settings.retry_delays == (1.0, 2.5)


@pytest.mark.parametrize(
    ("name", "value", "needle"),
    [
        ("BRIEFCAST_DATABASE_URL", "mysql://x", "BRIEFCAST_DATABASE_URL"),
        ("BRIEFCAST_PORT", "99999", "BRIEFCAST_PORT"),
        ("BRIEFCAST_USER_QUEUE_LIMIT", "0", "BRIEFCAST_USER_QUEUE_LIMIT"),
        ("BRIEFCAST_ENVIRONMENT", "production", "BRIEFCAST_SECRET_KEY"),
    ],
)
def test_invalid_settings_fail_with_the_variable_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, needle: str
) -> None:
    monkeypatch.delenv("BRIEFCAST_SECRET_KEY", raising=False)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=needle):
        load_settings()
