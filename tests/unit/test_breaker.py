"""The circuit breaker, driven by a fake clock."""

from __future__ import annotations

import threading

import pytest

from briefcast.breaker import CircuitBreaker
from briefcast.errors import (
    ProviderBusy,
    ProviderRejected,
    ProviderUnavailable,
    StorageUnavailable,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Provider:
    """Counts calls; fails with ``error`` while it is set."""

    def __init__(self) -> None:
        self.calls = 0
        self.error: Exception | None = None

    def __call__(self) -> str:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return "ok"


def fail(breaker: CircuitBreaker, provider: Provider, times: int) -> None:
    for _ in range(times):
        with pytest.raises(ProviderUnavailable):
            breaker.call(provider)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def provider() -> Provider:
    return Provider()


def test_opens_after_n_consecutive_transient_failures_and_fails_fast(
    clock: Clock, provider: Provider
) -> None:
    breaker = CircuitBreaker("voice", failures=3, cooldown=30, clock=clock)
    provider.error = ProviderUnavailable("HTTP 503")
    fail(breaker, provider, 2)
    assert breaker.state == "closed"
    fail(breaker, provider, 1)
    assert breaker.state == "open"
    assert provider.calls == 3

    clock.now += 10
    with pytest.raises(ProviderUnavailable) as caught:
        breaker.call(provider)
    assert provider.calls == 3  # not called: the provider is left alone
    assert caught.value.retry_after == pytest.approx(20)
    assert "voice" in caught.value.message


def test_a_success_resets_the_count(clock: Clock, provider: Provider) -> None:
    breaker = CircuitBreaker("writer", failures=3, cooldown=30, clock=clock)
    provider.error = ProviderBusy("429", retry_after=1)
    for _ in range(2):
        with pytest.raises(ProviderBusy):
            breaker.call(provider)
    provider.error = None
    assert breaker.call(provider) == "ok"
    provider.error = ProviderBusy("429")
    for _ in range(2):
        with pytest.raises(ProviderBusy):
            breaker.call(provider)
    assert breaker.state == "closed"


def test_permanent_errors_are_signs_of_life_not_failures(clock: Clock, provider: Provider) -> None:
    breaker = CircuitBreaker("voice", failures=2, cooldown=30, clock=clock)
    provider.error = ProviderUnavailable("timeout")
    fail(breaker, provider, 1)
    provider.error = ProviderRejected("invalid voice")
    for _ in range(5):
        with pytest.raises(ProviderRejected):
            breaker.call(provider)
    assert breaker.state == "closed"
    assert provider.calls == 6


def test_half_open_trial_closes_on_success(clock: Clock, provider: Provider) -> None:
    breaker = CircuitBreaker("voice", failures=1, cooldown=30, clock=clock)
    provider.error = ProviderUnavailable("down")
    fail(breaker, provider, 1)
    clock.now += 30
    assert breaker.state == "half-open"
    provider.error = None
    assert breaker.call(provider) == "ok"
    assert breaker.state == "closed"
    assert provider.calls == 2


def test_half_open_trial_failure_opens_for_another_full_cooldown(
    clock: Clock, provider: Provider
) -> None:
    breaker = CircuitBreaker("voice", failures=1, cooldown=30, clock=clock)
    provider.error = ProviderUnavailable("down")
    fail(breaker, provider, 1)
    clock.now += 45
    fail(breaker, provider, 1)  # the trial
    assert provider.calls == 2
    assert breaker.state == "open"
    clock.now += 29
    with pytest.raises(ProviderUnavailable) as caught:
        breaker.call(provider)
    assert caught.value.retry_after == pytest.approx(1)
    assert provider.calls == 2


def test_only_one_trial_at_a_time(clock: Clock) -> None:
    breaker = CircuitBreaker("voice", failures=1, cooldown=30, clock=clock)
    with pytest.raises(ProviderUnavailable):
        breaker.call(_raise(ProviderUnavailable("down")))
    clock.now += 31
    entered, release = threading.Event(), threading.Event()
    results: list[str] = []

    def slow_trial() -> str:
        entered.set()
        release.wait(5)
        return "ok"

    trial = threading.Thread(target=lambda: results.append(breaker.call(slow_trial)))
    trial.start()
    assert entered.wait(5)
    with pytest.raises(ProviderUnavailable) as caught:
        breaker.call(lambda: "second caller")
    assert caught.value.retry_after == pytest.approx(30)
    release.set()
    trial.join(5)
    assert results == ["ok"]
    assert breaker.state == "closed"


def test_the_error_type_is_configurable(clock: Clock, provider: Provider) -> None:
    breaker = CircuitBreaker("s3", failures=1, cooldown=5, error=StorageUnavailable, clock=clock)
    provider.error = StorageUnavailable("503 SlowDown")
    with pytest.raises(StorageUnavailable):
        breaker.call(provider)
    with pytest.raises(StorageUnavailable) as caught:
        breaker.call(provider)
    assert caught.value.retry_after == pytest.approx(5)
    assert provider.calls == 1


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="failures"):
        CircuitBreaker("x", failures=0)
    with pytest.raises(ValueError, match="cooldown"):
        CircuitBreaker("x", cooldown=0)


def _raise(error: Exception) -> object:
    def run() -> object:
        raise error

    return run
