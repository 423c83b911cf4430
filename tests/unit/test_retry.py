from __future__ import annotations

import pytest

from briefcast.errors import PermanentError, ProviderBusy, ProviderUnavailable
from briefcast.retry import RetryPolicy


def test_defaults_follow_the_plan_without_jitter() -> None:
    policy = RetryPolicy(jitter=0.0)
    error = ProviderUnavailable("down")
    assert [policy.delay(n, error) for n in (1, 2, 3, 4)] == [60.0, 120.0, 240.0, None]
    assert policy.max_attempts == 4


def test_jitter_stays_within_its_share() -> None:
    policy = RetryPolicy(delays=(100.0,), jitter=0.1)
    error = ProviderUnavailable("down")
    assert policy.delay(1, error, rand=lambda: 0.0) == pytest.approx(90.0)
    assert policy.delay(1, error, rand=lambda: 1.0) == pytest.approx(110.0)


def test_retry_after_is_honoured_but_never_shortens_the_pause() -> None:
    policy = RetryPolicy(delays=(60.0,), jitter=0.0)
    assert policy.delay(1, ProviderBusy("busy", retry_after=300.0)) == 300.0
    assert policy.delay(1, ProviderBusy("busy", retry_after=5.0)) == 60.0


def test_permanent_errors_are_never_retried() -> None:
    assert RetryPolicy().delay(1, PermanentError("bad key")) is None


def test_pause_is_capped() -> None:
    policy = RetryPolicy(delays=(10.0,), jitter=0.0, max_delay=30.0)
    assert policy.delay(1, ProviderBusy("busy", retry_after=10_000.0)) == 30.0
