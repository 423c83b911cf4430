"""A circuit breaker: stop calling a provider that keeps failing, and try again later.

After ``failures`` consecutive transient failures (any
:class:`~briefcast.errors.RetryableError`) the circuit *opens*: for
``cooldown`` seconds every call fails at once with the breaker's error
(``ProviderUnavailable`` unless told otherwise) whose ``retry_after`` is the
cool-down left, so the retry policy waits it out instead of hammering a dead
provider. When the cool-down has passed the circuit is *half-open*: one call
goes through as a trial while the others keep failing fast; its success
closes the circuit, a transient failure opens it for another cool-down.

A permanent error (bad key, rejected request) means the provider answered,
so it counts as a sign of life, not as a failure. State is per process: each
render process has its own breakers, which is enough to stop one process
from hammering.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal, TypeVar

import structlog

from briefcast.errors import ProviderUnavailable, RetryableError

__all__ = ["CircuitBreaker", "CircuitState"]

T = TypeVar("T")
CircuitState = Literal["closed", "open", "half-open"]

log = structlog.get_logger(__name__)


class CircuitBreaker:
    """Guards calls to one provider; thread-safe."""

    def __init__(
        self,
        name: str,
        *,
        failures: int = 5,
        cooldown: float = 60.0,
        error: type[RetryableError] = ProviderUnavailable,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failures < 1 or cooldown <= 0:
            raise ValueError("a breaker needs failures >= 1 and a positive cooldown")
        self.name = name
        self._threshold = failures
        self._cooldown = cooldown
        self._error = error
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> CircuitState:
        with self._lock:
            return self._state_locked()

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` unless the circuit is open; count its outcome."""
        self._admit()
        try:
            result = fn()
        except RetryableError:
            self._record_failure()
            raise
        except BaseException:
            self._record_life()
            raise
        self._record_life()
        return result

    def _admit(self) -> None:
        with self._lock:
            state = self._state_locked()
            if state == "closed":
                return
            if state == "half-open" and not self._trial_running:
                self._trial_running = True
                return
            wait = self._remaining_locked()
        raise self._error(
            f"{self.name} is failing; calls are paused for {wait:.0f}s before a new trial",
            retry_after=wait,
        )

    def _record_failure(self) -> None:
        with self._lock:
            trial = self._trial_running
            self._trial_running = False
            self._failures += 1
            if trial or (self._opened_at is None and self._failures >= self._threshold):
                self._opened_at = self._clock()
                log.warning(
                    "breaker.opened", provider=self.name, failures=self._failures, trial=trial
                )

    def _record_life(self) -> None:
        with self._lock:
            if self._opened_at is not None:
                log.info("breaker.closed", provider=self.name)
            self._failures = 0
            self._opened_at = None
            self._trial_running = False

    def _state_locked(self) -> CircuitState:
        if self._opened_at is None:
            return "closed"
        return "open" if self._remaining_locked() > 0 else "half-open"

    def _remaining_locked(self) -> float:
        if self._opened_at is None:
            return 0.0
        if self._trial_running:
            # A trial is in flight: others wait about one cool-down for its verdict.
            return self._cooldown
        return max(0.0, self._opened_at + self._cooldown - self._clock())
