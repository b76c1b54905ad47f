"""An output directory that appears whole or not at all, and that an interrupted run can resume.

Work happens in a hidden sibling, ``.NAME.partial``; only when everything is written is it renamed to
``NAME``. A bad-input error removes the partial directory; an interruption keeps it, together with a
``resume.json`` checkpoint, so that the same command continues where it stopped. A checkpoint is only
reused by a run whose configuration key matches exactly.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from lime_reasoning.atomic import swap_directory, write_json_atomic
from lime_reasoning.errors import LimeError

RESUME_FILE = "resume.json"


class StagedDirectory:
    """Create ``target`` atomically; see the module docstring."""

    def __init__(self, target: Path | str, overwrite: bool, key: str) -> None:
        self.target = Path(target)
        self.overwrite = overwrite
        self.key = key
        self.partial = self.target.parent / f".{self.target.name}.partial"
        self.resume_state: dict[str, Any] | None = None

    def open(self) -> Path:
        """Check the target, then create (or reuse, when resuming) the partial directory."""
        if self.target.exists() and not self.target.is_dir():
            raise LimeError(f"{self.target}: exists and is not a directory")
        if self.target.is_dir() and any(self.target.iterdir()) and not self.overwrite:
            raise LimeError(f"{self.target}: output directory is not empty (pass --overwrite to replace it)")
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            state = self._read_resume_state()
            if state is not None and state.get("key") == self.key:
                self.resume_state = state
            else:
                shutil.rmtree(self.partial, ignore_errors=True)
                self.partial.mkdir()
            probe = self.partial / ".write-test"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as error:
            raise LimeError(f"{self.target}: cannot write there ({error.strerror or error})") from None
        return self.partial

    def _read_resume_state(self) -> dict[str, Any] | None:
        try:
            with open(self.partial / RESUME_FILE, encoding="utf-8") as handle:
                state = json.load(handle)
        except (OSError, ValueError):
            return None
        return state if isinstance(state, dict) else None

    def checkpoint(self, state: dict[str, Any]) -> None:
        write_json_atomic(self.partial / RESUME_FILE, {**state, "key": self.key})

    def commit(self) -> Path:
        """Move the finished partial directory into place, replacing an old target if allowed."""
        (self.partial / RESUME_FILE).unlink(missing_ok=True)
        return swap_directory(self.partial, self.target)

    def discard(self) -> None:
        shutil.rmtree(self.partial, ignore_errors=True)
