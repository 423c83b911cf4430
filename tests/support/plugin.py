"""A briefcast plugin for tests that run the real server or worker in a subprocess.

Loaded with ``BRIEFCAST_PLUGINS=tests.support.plugin``, it registers a voice,
``ledger-tone``: the tone voice, optionally slowed down (so a test can kill a
worker in the middle of synthesis), that appends one line per rendered turn to
a ledger file — the characters a paid provider would have billed. While the
file named by ``BRIEFCAST_TEST_VOICE_REJECT_FILE`` exists, the voice refuses
every request the way a provider refuses a bad key (:class:`ProviderRejected`,
with the file's text as the reason), so a test can make an episode fail for
real and then let its retry succeed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from briefcast import providers
from briefcast.errors import ProviderRejected
from briefcast.scripts import Script, Turn
from briefcast.settings import Settings
from briefcast.testing import ToneVoice
from briefcast.voices import Rendered
from briefcast.writers import ScriptRequest


class LedgerToneVoice(ToneVoice):
    name = "ledger-tone"

    def __init__(self, ledger: str | None, delay: float, reject_file: str | None = None) -> None:
        super().__init__()
        self._ledger = ledger
        self._delay = delay
        self._reject_file = reject_file

    def render(self, turns: Sequence[Turn]) -> list[Rendered]:
        if self._reject_file and os.path.exists(self._reject_file):
            with open(self._reject_file) as reason:
                raise ProviderRejected(reason.read().strip() or "the voice provider refused")
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
    )


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
