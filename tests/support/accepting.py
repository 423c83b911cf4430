"""Does a check take a text or refuse it? For tests that hold two checks to one answer."""

from __future__ import annotations

from collections.abc import Callable


def accepts(check: Callable[[str], object], text: str, refusal: type[Exception]) -> bool:
    """True when ``check(text)`` returns, False when it raises ``refusal``."""
    try:
        check(text)
    except refusal:
        return False
    return True
