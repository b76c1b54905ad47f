"""When a run ends: step, token and time budgets (whichever comes first), or a Ctrl-C / SIGTERM.

A signal only sets a flag; the loop finishes the current step, writes a checkpoint and returns, so an
interrupted run is always resumable.
"""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass
from types import FrameType

from lime_reasoning.errors import LimeError

UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(text: str) -> float:
    """``"90"``, ``"90s"``, ``"30m"``, ``"1.5h"`` -> seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d*)?)\s*([smhd]?)\s*", text)
    if not match or float(match.group(1)) <= 0:
        raise LimeError(f"--max-time {text}: expected a positive duration such as 90s, 30m or 2h")
    return float(match.group(1)) * UNITS[match.group(2)]


@dataclass(frozen=True)
class Budget:
    max_steps: int | None = None
    max_tokens_seen: int | None = None
    max_time: float | None = None

    def check(self) -> None:
        for name, value in (("--max-steps", self.max_steps), ("--max-tokens-seen", self.max_tokens_seen)):
            if value is not None and value < 1:
                raise LimeError(f"{name} must be at least 1, got {value}")
        if self.max_steps is None and self.max_tokens_seen is None and self.max_time is None:
            raise LimeError("give a budget: --max-steps, --max-tokens-seen or --max-time (whichever comes first ends the run)")

    def spent(self, step: int, tokens: int, elapsed: float) -> str | None:
        """The budget that is used up, if any."""
        if self.max_steps is not None and step >= self.max_steps:
            return f"{self.max_steps} steps"
        if self.max_tokens_seen is not None and tokens >= self.max_tokens_seen:
            return f"{self.max_tokens_seen} tokens"
        if self.max_time is not None and elapsed >= self.max_time:
            return f"{self.max_time:g} s"
        return None

    def fraction(self, step: int, tokens: int, elapsed: float) -> float:
        """How far the run is towards its nearest budget, in [0, 1]."""
        parts = [0.0]
        if self.max_steps:
            parts.append(step / self.max_steps)
        if self.max_tokens_seen:
            parts.append(tokens / self.max_tokens_seen)
        if self.max_time:
            parts.append(elapsed / self.max_time)
        return min(max(parts), 1.0)


class StopFlag:
    """Catches SIGINT and SIGTERM while training, restoring the previous handlers on exit."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.requested = False
        self.previous: dict[int, object] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True

    def __enter__(self) -> StopFlag:
        for sig in self.SIGNALS:
            self.previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
