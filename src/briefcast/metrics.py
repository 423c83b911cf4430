"""Prometheus metrics: what an operator needs to see the queue's health in numbers."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "ENQUEUED",
    "ENQUEUE_SECONDS",
    "PODCASTS_FINISHED",
    "QUEUE_DEPTH",
    "STAGE_ERRORS",
    "STAGE_SECONDS",
    "TTS_CHARACTERS",
]

ENQUEUED = Counter("briefcast_podcasts_enqueued_total", "Podcasts queued", ["type"])
ENQUEUE_SECONDS = Histogram(
    "briefcast_enqueue_seconds",
    "Time to answer a podcast request",
    buckets=(0.002, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5),
)
STAGE_SECONDS = Histogram(
    "briefcast_stage_seconds",
    "Wall time of each pipeline stage",
    ["stage"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120),
)
STAGE_ERRORS = Counter("briefcast_stage_errors_total", "Stage failures by kind", ["stage", "kind"])
PODCASTS_FINISHED = Counter(
    "briefcast_podcasts_finished_total", "Podcasts that reached a final state", ["status"]
)
QUEUE_DEPTH = Gauge("briefcast_queue_depth", "Podcasts by status", ["status"])
TTS_CHARACTERS = Counter(
    "briefcast_tts_characters_total", "Characters of speech, synthesised or from cache", ["source"]
)
