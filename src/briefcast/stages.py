"""The six stages of producing a podcast, in order.

Each takes the stage context and the state earlier stages returned, and
returns its own additions. A key ``_record`` in the returned dict holds
columns to store on the podcast when the stage ends (the timing middleware
writes them together with the stage's duration).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from briefcast.errors import InvalidInput, PermanentError
from briefcast.pipeline import Stage, StageContext
from briefcast.rendering import MasterRequest
from briefcast.scripts import Budget, Script, validate
from briefcast.writers import Listener, ScriptRequest

__all__ = ["DISCLOSURE", "SHOW_TITLE", "STAGES"]

SHOW_TITLE = "briefcast"
DISCLOSURE = "Produced by briefcast with synthetic voices from public records of the U.S. Congress."
HOSTS = ("Maya", "Theo")
_CANDIDATE_SHARE = 1.5


def gathering(ctx: StageContext, state: Mapping[str, Any]) -> dict[str, Any]:
    """Choose the bills: the ones asked for, or the listener's most relevant ones."""
    services = ctx.services
    # Offer the writer more bills than fit, so it can fill the episode's length;
    # the ones it covers are recorded once the script is written.
    count = math.ceil(services.settings.bill_count(ctx.job.type) * _CANDIDATE_SHARE)
    bill_ids = list(ctx.job.requested_bills) or services.bills.pick_for(
        ctx.user.id, ctx.user.interests, count
    )
    if not bill_ids:
        raise InvalidInput("there are no bills to talk about yet: import some bills first")
    services.bills.get_many(bill_ids)  # every bill must still be there
    return {"bill_ids": bill_ids, "_record": {"bill_ids": bill_ids}}


def scripting(ctx: StageContext, state: Mapping[str, Any]) -> dict[str, Any]:
    """Write the script and validate it before any voice is paid to read it."""
    services = ctx.services
    bills = services.bills.get_many(state["bill_ids"])
    target = services.settings.target_seconds(ctx.job.type)
    wpm = _episode_pace(sum(services.voice.words_per_minute(h) for h in HOSTS) / len(HOSTS))
    request = ScriptRequest(
        listener=Listener(ctx.user.name, ctx.user.state),
        episode_type=ctx.job.type,  # type: ignore[arg-type]  # checked at enqueue
        day=ctx.job.created_at.date(),
        bills=tuple(bills),
        hosts=HOSTS,
        target_seconds=target,
        words_per_minute=wpm,
    )
    script = services.writer.write(request)
    validate(script, Budget.for_duration(target, wpm))
    covered = [segment.bill_id for segment in script.segments if segment.bill_id]
    return {
        "script": script.to_json(),
        "bill_ids": covered,
        "_record": {"title": script.title, "notes": list(script.notes), "bill_ids": covered},
    }


def synthesizing(ctx: StageContext, state: Mapping[str, Any]) -> dict[str, Any]:
    """Render every turn into the segment cache, a segment at a time.

    Cancellation is checked before each segment, so a cancelled job stops
    paying for synthesis within one segment.
    """
    script = Script.from_json(state["script"])
    synthesized = cached = 0
    for index, segment in enumerate(script.segments):
        ctx.ensure_active()
        result = ctx.services.renderer.synthesize(segment.turns)
        synthesized += result.synthesized_chars
        cached += result.cached_chars
        ctx.progress((index + 1) / len(script.segments))
    record = {"characters_synthesized": synthesized, "characters_cached": cached}
    return {"_record": record}


def mastering(ctx: StageContext, state: Mapping[str, Any]) -> dict[str, Any]:
    """Join, normalise, encode and tag the episode; check it; store its files."""
    script = Script.from_json(state["script"])
    request = MasterRequest(
        podcast_id=ctx.job.id,
        user_id=ctx.job.user_id,
        script=state["script"],
        title=script.title,
        show=SHOW_TITLE,
        day=ctx.job.created_at.date(),
        description=_description(script),
        disclosure=DISCLOSURE,
        artist=" & ".join(script.hosts),
    )
    result = ctx.services.renderer.master(request)
    return {
        "episode": {
            "audio_key": result.audio_key,
            "transcript_key": result.transcript_key,
            "chapters_key": result.chapters_key,
            "audio_bytes": result.audio_bytes,
            "duration_seconds": result.duration_seconds,
            "chapters": list(result.chapters),
            "loudness_lufs": result.loudness_lufs,
            "true_peak_dbtp": result.true_peak_dbtp,
        }
    }


def publishing(ctx: StageContext, state: Mapping[str, Any]) -> dict[str, Any]:
    """Make the stored files part of the podcast; harmless to repeat."""
    episode = state["episode"]
    info = ctx.services.storage.stat(episode["audio_key"])
    if info is None or info.size != episode["audio_bytes"]:
        raise PermanentError("the episode file is missing from storage after mastering")
    record = {
        "audio_key": episode["audio_key"],
        "audio_bytes": info.size,
        "duration_seconds": episode["duration_seconds"],
        "chapters": episode["chapters"],
    }
    return {"_record": record}


def notifying(ctx: StageContext, state: Mapping[str, Any]) -> dict[str, Any]:
    """Mark the episode completed (the in-app notification) and hand off other channels."""
    done = ctx.services.jobs.complete(ctx.job.id)
    ctx.services.after_complete(done)
    return {}


# Mastering breathes 0.3-0.6 s between turns and 1 s between segments; a turn
# runs about twenty words, so the pauses cost about this much per word spoken.
_PAUSE_SECONDS_PER_WORD = 0.022


def _episode_pace(speech_wpm: float) -> float:
    """Words a minute of finished episode, pauses included, from the voice's speech rate."""
    return 60.0 / (60.0 / speech_wpm + _PAUSE_SECONDS_PER_WORD)


def _description(script: Script) -> str:
    titles = [s.title for s in script.segments if s.kind == "bill"]
    return "Bills in this episode: " + "; ".join(titles) + "."


STAGES: tuple[tuple[str, Stage], ...] = (
    ("gathering", gathering),
    ("scripting", scripting),
    ("synthesizing", synthesizing),
    ("mastering", mastering),
    ("publishing", publishing),
    ("notifying", notifying),
)
