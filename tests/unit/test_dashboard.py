"""Percentiles, stage speeds and throughput bins of the operator dashboard (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefcast.dashboard import StageSpeed, TtsUsage, percentile, stage_speeds, throughput

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_percentiles_of_a_small_sample_by_hand() -> None:
    values = [4.0, 1.0, 3.0, 2.0]  # sorted: 1 2 3 4; ranks 0..3
    assert percentile(values, 50) == 2.5  # rank 1.5: halfway between 2 and 3
    assert percentile(values, 95) == pytest.approx(3.85)  # rank 2.85: 3 + 0.85
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 4.0
    assert percentile([7.0], 95) == 7.0


@given(
    st.lists(st.floats(min_value=0, max_value=1e4, allow_nan=False), min_size=1, max_size=60),
    st.floats(min_value=0, max_value=100),
)
def test_percentile_agrees_with_numpy_linear_interpolation(values: list[float], q: float) -> None:
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)), abs=1e-9)


def test_percentile_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1.0], 101)


def test_stage_speeds_in_pipeline_order_with_unknown_stages_last() -> None:
    timings = [
        {"mastering": 2.0, "gathering": 0.1, "zeta": 1.0},
        {"mastering": 4.0, "gathering": 0.3},
        {"mastering": 6.0},
    ]
    assert stage_speeds(timings) == (
        StageSpeed("gathering", 0.2, 0.29, 2),  # p95 of (0.1, 0.3): 0.1 + 0.95 * 0.2
        StageSpeed("mastering", 4.0, 5.8, 3),  # p95 of (2, 4, 6): rank 1.9 → 4 + 0.9 * 2
        StageSpeed("zeta", 1.0, 1.0, 1),
    )
    assert stage_speeds([]) == ()


def test_throughput_counts_the_last_hour_and_bins_completions() -> None:
    finished = [
        ("completed", NOW - timedelta(minutes=59)),  # first 10-minute bin
        ("completed", NOW - timedelta(minutes=55)),  # first bin
        ("completed", NOW - timedelta(minutes=1)),  # last bin
        ("completed", NOW),  # the very end belongs to the last bin
        ("completed", NOW - timedelta(minutes=61)),  # too old
        ("failed", NOW - timedelta(minutes=30)),
        ("cancelled", NOW - timedelta(minutes=5)),
        ("queued", NOW - timedelta(minutes=5)),  # not an outcome
    ]
    result = throughput(finished, NOW, HOUR, 6)
    assert (result.completed, result.failed, result.cancelled) == (4, 1, 1)
    assert result.completed_by_bin == (2, 0, 0, 0, 0, 2)
    assert result.window_seconds == 3600
    assert result.per_minute == pytest.approx(4 / 60)


def test_cache_share() -> None:
    assert TtsUsage(300, 700).cache_share == 0.7
    assert TtsUsage(0, 0).cache_share is None
