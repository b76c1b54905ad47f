"""An output directory that appears whole or not at all, and that an interrupted run can resume.

Work happens in a hidden sibling, ``.NAME.partial``; only when everything is written is it renamed to
``NAME``. A bad-input error removes the partial directory; an interruption keeps it, together with a
``resume.json`` checkpoint, so that the same command continues where it stopped. A checkpoint is only
reused by a run whose configuration key matches exactly.

``--overwrite`` replaces only a directory this tool wrote, which its ``meta.json`` says
(:func:`written_by_lime`); a user's own non-empty directory is refused and left untouched. A path that a
rename cannot replace (the current directory or one above it, a mount point) is refused up front.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
from pathlib import Path
from typing import Any

from lime_reasoning import __version__
from lime_reasoning.atomic import swap_directory, write_json_atomic
from lime_reasoning.datasets.reading import read_meta
from lime_reasoning.errors import LimeError

RESUME_FILE = "resume.json"
PACKAGE = "lime-reasoning"
# The kinds of meta.json that are not datasets: an output directory replaces only one of its own role.
EXPERIMENT, EVALUATION = "experiment", "evaluation"


def role(kind: str) -> str:
    """``experiment``, ``evaluation``, or ``dataset`` for every dataset kind (synthetic, metamathstep, …)."""
    return kind if kind in (EXPERIMENT, EVALUATION) else "dataset"


def lime_meta(kind: str) -> dict[str, Any]:
    """The ``meta.json`` fields that mark a directory as written by this tool (see :func:`written_by_lime`)."""
    return {"kind": kind, "package": PACKAGE, "version": __version__, "python": platform.python_version()}


def written_by_lime(directory: Path, kind: str | None = None) -> bool:
    """Whether ``directory/meta.json`` says this tool wrote it (as ``kind``, when given).

    The one test of ownership: only such a directory may be replaced by ``--overwrite`` or written into
    by ``lime reproduce``, so a user's own files are never deleted or mixed with ours.
    """
    found = lime_kind(directory)
    return found is not None and (kind is None or found == kind)


def lime_kind(directory: Path) -> str | None:
    """The kind in ``directory/meta.json`` if this tool wrote it, else None."""
    try:
        meta = read_meta(directory)
    except LimeError:  # an unreadable meta.json proves nothing
        return None
    return str(meta.get("kind")) if meta.get("package") == PACKAGE else None


def check_output_path(target: Path) -> None:
    """Refuse, before anything is written, a target that is a file or that lies below one."""
    if target.exists() and not target.is_dir():
        raise LimeError(f"{target}: exists and is not a directory")
    for ancestor in Path(os.path.abspath(target)).parents:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise LimeError(f"{target}: cannot create it, {ancestor} is not a directory")
            return


def check_renamable(target: Path) -> None:
    """Refuse a target that the final rename could not replace, naming why."""
    resolved, here = target.resolve(), Path.cwd().resolve()
    if resolved == here:
        why = "it is the current directory"
    elif resolved in here.parents:
        why = "it contains the current directory"
    elif os.path.ismount(resolved):
        why = "it is a mount point"
    else:
        return
    raise LimeError(f"{target}: cannot be an output directory, {why} (the output is built beside it and renamed "
                    f"into place); name a new directory below it")


class StagedDirectory:
    """Create ``target`` atomically; see the module docstring."""

    def __init__(self, target: Path | str, overwrite: bool, key: str, kind: str = "dataset") -> None:
        self.target = Path(os.path.normpath(target))  # no "..": the partial directory is a sibling of the name
        self.overwrite = overwrite
        self.key = key
        self.role = role(kind)
        self.partial = self.target.parent / f".{self.target.name}.partial"
        self.resume_state: dict[str, Any] | None = None

    def open(self) -> Path:
        """Check the target, then create (or reuse, when resuming) the partial directory."""
        check_output_path(self.target)
        check_renamable(self.target)
        if self.target.is_dir() and any(self.target.iterdir()):
            found = lime_kind(self.target)
            if found is None:
                raise LimeError(f"{self.target}: not empty and not written by lime (no meta.json of "
                                f"{PACKAGE}), so it is never replaced; choose another --out")
            if role(found) != self.role:
                article = "an" if self.role[0] in "aeiou" else "a"
                raise LimeError(f"{self.target}: holds a lime {role(found)}, which --overwrite never replaces with "
                                f"{article} {self.role}; choose another --out")
            if not self.overwrite:
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
