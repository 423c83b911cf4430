"""A briefcast plugin for tests that run the real server or worker in a subprocess.

Loaded with ``BRIEFCAST_PLUGINS=tests.support.plugin``, it registers a voice,
``ledger-tone``: the tone voice, optionally slowed down (so a test can kill a
worker in the middle of synthesis), that appends one line per rendered turn to
a ledger file — the characters a paid provider would have billed. While the
file named by ``BRIEFCAST_TEST_VOICE_REJECT_FILE`` exists, the voice refuses
every request the way a provider refuses a bad key (:class:`ProviderRejected`,
with the file's text as the reason), so a test can make an episode fail for
real and then let its retry succeed. ``BRIEFCAST_TEST_VOICE_BUSY_FILE`` does the
same with a passing outage (:class:`ProviderUnavailable`), which is retried.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from briefcast import providers
from briefcast.errors import ProviderRejected, ProviderUnavailable
from briefcast.scripts import Script, Turn
from briefcast.settings import Settings
from briefcast.testing import ToneVoice
from briefcast.voices import Rendered
from briefcast.writers import ScriptRequest


class LedgerToneVoice(ToneVoice):
    name = "ledger-tone"

    def __init__(
        self,
        ledger: str | None,
        delay: float,
        reject_file: str | None = None,
        busy_file: str | None = None,
    ) -> None:
        super().__init__()
        self._ledger = ledger
        self._delay = delay
        self._reject_file = reject_file
        self._busy_file = busy_file

    def render(self, turns: Sequence[Turn]) -> list[Rendered]:
        if reason := _read(self._reject_file):
            raise ProviderRejected(reason)
        if reason := _read(self._busy_file):
            raise ProviderUnavailable(reason)
        results = []
        for turn in turns:
            time.sleep(self._delay)
            results.extend(super().render([turn]))
            if self._ledger:
                with open(self._ledger, "a") as ledger:
                    ledger.write(f"{len(turn.text)}\t{turn.text[:40]}\n")
        return results


def _ledger_tone(settings: Settings) -> LedgerToneVoice:
    return LedgerToneVoice(
        os.environ.get("BRIEFCAST_TEST_LEDGER"),
        float(os.environ.get("BRIEFCAST_TEST_VOICE_DELAY", "0")),
        os.environ.get("BRIEFCAST_TEST_VOICE_REJECT_FILE"),
        os.environ.get("BRIEFCAST_TEST_VOICE_BUSY_FILE"),
    )


def _read(path: str | None) -> str | None:
    """The reason written in ``path``, or None when there is no such file."""
    if not path or not os.path.exists(path):
        return None
    with open(path) as reason:
        return reason.read().strip() or "the voice provider did not answer"


class SlowTemplateWriter:
    """The template writer, after a pause: makes the scripting stage long enough to interrupt."""

    name = "slow-template"

    def __init__(self, delay: float) -> None:
        from briefcast.providers.template_writer import TemplateWriter

        self._writer = TemplateWriter()
        self._delay = delay

    def write(self, request: ScriptRequest) -> Script:
        time.sleep(self._delay)
        return self._writer.write(request)


def _slow_template(settings: Settings) -> SlowTemplateWriter:
    return SlowTemplateWriter(float(os.environ.get("BRIEFCAST_TEST_WRITER_DELAY", "0")))


providers.register("voice", "ledger-tone", _ledger_tone)
providers.register("writer", "slow-template", _slow_template)
