"""Renderers: synthesis into the segment cache, and mastering, in or out of process.

This is the CPU-heavy part of a job. A worker runs it in a pool of render
processes (one per slot) so rendering keeps every core busy while the
process that answers HTTP requests and drives the durable workflows stays
responsive; eSpeak also allows only one synthesis at a time per process.
:class:`InlineRenderer` does the same work in the calling process (tests,
embedding, single-slot workers).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

from briefcast import providers
from briefcast.audio_qa import check, confirm
from briefcast.mastering import EpisodeMeta, MasteringSettings, SpokenSegment, master
from briefcast.rendering import MasterRequest, MasterResult, SynthesisResult, episode_keys
from briefcast.scripts import Script, Turn
from briefcast.segment_cache import SegmentCache, cache_key
from briefcast.settings import Settings
from briefcast.storage import Storage
from briefcast.voices import Voice

__all__ = ["InlineRenderer", "ProcessRenderer", "Workshop"]


class Workshop:
    """The tools of one render process: a voice, storage and the segment cache."""

    def __init__(self, voice: Voice, storage: Storage) -> None:
        self.voice = voice
        self.storage = storage
        self.cache = SegmentCache(storage)

    @classmethod
    def from_settings(cls, settings: Settings) -> Workshop:
        return cls(
            providers.create("voice", settings.voice, settings),
            providers.create("storage", settings.storage, settings),
        )

    def synthesize(self, turns: Sequence[Turn]) -> SynthesisResult:
        """Make sure every turn's audio is in the cache; pay only for what is missing."""
        _, stats = self.cache.render_with_cache(self.voice, turns)
        keys = tuple(cache_key(self.voice.identity(t.speaker), t.text) for t in turns)
        reused = stats.characters_from_cache + stats.characters_repeated
        return SynthesisResult(keys, stats.characters_synthesised, reused)

    def master(self, request: MasterRequest) -> MasterResult:
        """Master the episode from cached turns, check it, and store its files."""
        script = Script.from_json(request.script)
        meta = EpisodeMeta(
            title=request.title,
            show=request.show,
            date=request.day,
            description=request.description,
            disclosure=request.disclosure,
            artist=request.artist,
            url=None,
        )
        episode = master(self._spoken(script), meta, MasteringSettings())
        # Mastering decoded and measured the encoded audio as it was made; confirming
        # that the tagged file is those very frames makes a second decode unnecessary.
        # Truncation, silence, clipping or a level off target fails the job here
        # instead of reaching a listener.
        confirm(episode.mp3, episode.report, episode.audio_sha256)
        check(episode.report, expected_seconds=episode.planned_seconds, tolerance=0.02)
        keys = episode_keys(request.user_id, request.podcast_id)
        self.storage.put(keys["audio"], episode.mp3, "audio/mpeg")
        self.storage.put(keys["transcript"], episode.vtt.encode(), "text/vtt")
        self.storage.put(
            keys["chapters"], episode.chapters_json.encode(), "application/json+chapters"
        )
        return MasterResult(
            audio_key=keys["audio"],
            transcript_key=keys["transcript"],
            chapters_key=keys["chapters"],
            audio_bytes=len(episode.mp3),
            duration_seconds=episode.duration_seconds,
            chapters=tuple(
                {
                    "title": c.title,
                    "start": round(c.start, 3),
                    "end": round(c.end, 3),
                    "bill_id": c.bill_id,
                }
                for c in episode.chapters
            ),
            loudness_lufs=episode.loudness_lufs,
            true_peak_dbtp=episode.true_peak_dbtp,
        )

    def _spoken(self, script: Script) -> Iterator[SpokenSegment]:
        """Each segment with its turns' audio, read from the cache one segment at a time.

        Synthesis put every turn in the cache; reading through the cache also
        re-renders any entry that has since gone missing instead of failing.
        Mastering keeps a compact copy, so each segment's audio can go once placed.
        """
        for segment in script.segments:
            audio, _ = self.cache.render_with_cache(self.voice, segment.turns)
            yield SpokenSegment(segment, tuple(audio))


class InlineRenderer:
    """Renders in the calling process."""

    def __init__(self, workshop: Workshop) -> None:
        self._workshop = workshop

    def synthesize(self, turns: Sequence[Turn]) -> SynthesisResult:
        return self._workshop.synthesize(turns)

    def master(self, request: MasterRequest) -> MasterResult:
        return self._workshop.master(request)

    def close(self) -> None:
        pass


# One workshop per render process, built by the pool's initializer.
_child_workshop: Workshop | None = None


def _init_child(settings: Settings) -> None:
    global _child_workshop
    _exit_with_parent()
    _run_as_background_work()
    providers.load_plugins(settings)
    _child_workshop = Workshop.from_settings(settings)


def _run_as_background_work() -> None:
    """Rendering is batch work: it may use every idle cycle, but answering a
    listener's request always comes first (Linux: the idle scheduling class)."""
    if hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    else:
        os.nice(19)


def _exit_with_parent() -> None:
    """End this render process when its worker dies, even by ``kill -9``.

    A pool process holds both ends of its task pipe, so it would otherwise wait
    for work for ever (and keep a renderer's memory) after its parent is gone.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="briefcast-parent-watch", daemon=True).start()


def _child_synthesize(turns: Sequence[Turn]) -> SynthesisResult:
    assert _child_workshop is not None
    return _child_workshop.synthesize(turns)


def _child_master(request: MasterRequest) -> MasterResult:
    assert _child_workshop is not None
    return _child_workshop.master(request)


def _child_ready() -> int:
    return os.getpid()


class ProcessRenderer:
    """Renders in a pool of ``processes`` child processes (started fresh, not forked,
    because the parent runs database and engine threads)."""

    def __init__(self, settings: Settings, processes: int) -> None:
        self._pool = ProcessPoolExecutor(
            max_workers=processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_child,
            initargs=(settings,),
        )
        # Start every process now rather than on the first episode.
        for future in [self._pool.submit(_child_ready) for _ in range(processes)]:
            future.result()

    def synthesize(self, turns: Sequence[Turn]) -> SynthesisResult:
        return self._pool.submit(_child_synthesize, list(turns)).result()

    def master(self, request: MasterRequest) -> MasterResult:
        return self._pool.submit(_child_master, request).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
