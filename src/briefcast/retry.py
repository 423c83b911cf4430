"""When to try a failing stage again: a policy decided from the error itself."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from briefcast.errors import BriefcastError, RetryableError

__all__ = ["RetryPolicy"]


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential pauses with jitter, never shorter than a provider's ``Retry-After``.

    ``delays[i]`` is the pause before retry ``i + 1``; their count is the
    number of retries. Permanent errors are never retried.
    """

    delays: tuple[float, ...] = (60.0, 120.0, 240.0)
    jitter: float = 0.1
    max_delay: float = 3600.0

    @property
    def max_attempts(self) -> int:
        return len(self.delays) + 1

    def delay(
        self, attempt: int, error: BriefcastError, rand: Callable[[], float] = random.random
    ) -> float | None:
        """The pause after failed attempt number ``attempt`` (1-based), or None to give up."""
        if not isinstance(error, RetryableError) or attempt > len(self.delays):
            return None
        base = self.delays[attempt - 1]
        pause = base * (1.0 + self.jitter * (2.0 * rand() - 1.0))
        if error.retry_after is not None:
            pause = max(pause, error.retry_after)
        return min(max(pause, 0.0), self.max_delay)
