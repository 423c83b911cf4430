"""Adapters for every port, chosen by name from one registry.

Built-in adapters register here exactly as a third-party one would, with a
factory that takes the settings: offline defaults (voice ``espeak``, writer
``template``, storage ``local``) and production ones (voice ``elevenlabs``,
writer ``llm``, storage ``s3``). Each factory imports its adapter module
lazily, so a vendor SDK is only imported when that adapter is chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from briefcast.errors import ConfigurationError
from briefcast.settings import Settings

__all__ = ["Port", "create", "load_plugins", "names", "register"]

Port = Literal["voice", "writer", "storage"]
Factory = Callable[[Settings], Any]

_registry: dict[str, dict[str, Factory]] = {"voice": {}, "writer": {}, "storage": {}}


def register(port: Port, name: str, factory: Factory) -> None:
    """Make an adapter available under ``name`` (later registrations replace earlier)."""
    _registry[port][name] = factory


def names(port: Port) -> list[str]:
    return sorted(_registry[port])


def create(port: Port, name: str, settings: Settings) -> Any:
    """Build the adapter called ``name`` for ``port``."""
    factory = _registry[port].get(name)
    if factory is None:
        raise ConfigurationError(
            f"unknown {port} adapter {name!r}; choose one of: {', '.join(names(port))}"
        )
    return factory(settings)


def load_plugins(settings: Settings) -> None:
    """Import the configured plugin modules; importing one registers its adapters."""
    import importlib

    for module in settings.plugins:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise ConfigurationError(f"cannot import plugin {module!r}: {exc}") from exc


def _espeak(settings: Settings) -> Any:
    from briefcast.providers.espeak import EspeakVoice

    return EspeakVoice()


def _template(settings: Settings) -> Any:
    from briefcast.providers.template_writer import TemplateWriter

    return TemplateWriter(
        bills_per_episode={
            "daily": settings.daily_bill_count,
            "weekly": settings.weekly_bill_count,
        }
    )


def _local(settings: Settings) -> Any:
    from briefcast.providers.local_storage import LocalStorage

    return LocalStorage(settings.media_dir)


def _s3(settings: Settings) -> Any:
    from briefcast.providers.s3_storage import S3Storage

    return S3Storage.from_settings(settings)


def _elevenlabs(settings: Settings) -> Any:
    from briefcast.providers.elevenlabs_voice import ElevenLabsVoice

    return ElevenLabsVoice.from_settings(settings)


def _llm(settings: Settings) -> Any:
    from briefcast.providers.llm_writer import LlmWriter

    return LlmWriter.from_settings(settings)


register("voice", "espeak", _espeak)
register("voice", "elevenlabs", _elevenlabs)
register("writer", "template", _template)
register("writer", "llm", _llm)
register("storage", "local", _local)
register("storage", "s3", _s3)
