"""Cached, resumable stages: each output directory is named by a hash of everything that decides it.

A stage's key covers its own settings and the keys of the stages it reads, so changing, say, the
fine-tuning budget re-runs fine-tuning only, and adding arms or seeds adds stages without touching the
finished ones. A stage is finished when its marker file exists; anything else found in its directory is
work in progress that the stage continues (training and evaluation resume; data builds resume).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock

from lime_reasoning.atomic import write_json_atomic, write_text_atomic

DONE_FILE = "stage.json"
KEY_LENGTH = 12


def stage_key(settings: dict[str, Any]) -> str:
    """A short stable hash of JSON-ready settings."""
    payload = json.dumps(settings, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:KEY_LENGTH]


@dataclass(frozen=True)
class Stage:
    """One unit of cached work: where it lives, what it is, and what decided it."""

    kind: str
    name: str
    settings: dict[str, Any]
    root: Path

    @property
    def key(self) -> str:
        return stage_key({"kind": self.kind, **self.settings})

    @property
    def path(self) -> Path:
        return self.root / self.kind / f"{self.name}-{self.key}"

    @property
    def marker(self) -> Path:
        return self.path / DONE_FILE

    def done(self) -> bool:
        return self.marker.is_file()

    def record(self) -> dict[str, Any]:
        """What the finished stage wrote into its marker (timings, outcome)."""
        return json.loads(self.marker.read_text(encoding="utf-8"))

    def run(self, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Do ``work`` unless finished; time it (adding earlier interrupted attempts) and mark it done.

        ``work`` returns facts to keep in the marker; it raises ``KeyboardInterrupt`` when stopped, and
        the time spent so far is kept for the attempt that finishes.
        """
        if self.done():
            return self.record()
        with self._lock():
            if self.done():  # another process finished it while this one waited
                return self.record()
            partial = self._sidecar("seconds")
            before = float(partial.read_text()) if partial.is_file() else 0.0
            started = time.monotonic()
            try:
                facts = work()
            except BaseException:
                write_text_atomic(partial, f"{before + time.monotonic() - started:.3f}")
                raise
            record = {"kind": self.kind, "name": self.name, "key": self.key, "settings": self.settings,
                      "wall_seconds": round(before + time.monotonic() - started, 3), **facts}
            self.path.mkdir(parents=True, exist_ok=True)  # a stage whose only output is its record
            write_json_atomic(self.marker, record)
            partial.unlink(missing_ok=True)
        return record

    def _sidecar(self, suffix: str) -> Path:
        return self.root / self.kind / f".{self.name}-{self.key}.{suffix}"

    @property
    def lock_path(self) -> Path:
        return self._sidecar("lock")

    def _lock(self) -> FileLock:
        """An exclusive lock on the stage, so parallel workers (or invocations) never run it twice."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(self.lock_path)
