"""Files and directories that readers see whole or not at all: write under a temporary name, then rename.

A rename within one file system is atomic, so a crash, a Ctrl-C or a full disk leaves either the old
version or the new one, never half of either. Files are flushed to disk before the rename. A directory
is assembled in a hidden sibling and swapped in; the previous version waits under :func:`old_sibling`
until the swap is done, so a crash between the two renames still leaves one complete copy to find.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def atomic_file(path: Path, mode: str = "w", encoding: str | None = "utf-8",
                newline: str | None = None) -> Iterator[IO[Any]]:
    """Open a temporary sibling of ``path`` for writing; on success it replaces ``path``, on error it goes."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, mode, encoding=None if "b" in mode else encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_file(path) as handle:
        handle.write(text)


def write_json_atomic(path: Path, payload: Any, sort_keys: bool = True) -> None:
    """JSON, indented; keys are sorted unless ``sort_keys`` is false (for payloads whose order means something)."""
    write_text_atomic(path, json.dumps(payload, indent=2, sort_keys=sort_keys) + "\n")


def copy_file_atomic(source: Path, target: Path) -> None:
    with open(source, "rb") as reading, atomic_file(target, "wb") as writing:
        shutil.copyfileobj(reading, writing)


def old_sibling(target: Path) -> Path:
    """Where :func:`swap_directory` keeps the previous ``target`` while it swaps."""
    return target.with_name(f".{target.name}.old")


def fresh_sibling(target: Path, suffix: str) -> Path:
    """An empty hidden directory beside ``target`` to assemble its next version in."""
    staging = target.with_name(f".{target.name}.{suffix}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


@contextlib.contextmanager
def assembled_directory(target: Path, suffix: str) -> Iterator[Path]:
    """A fresh staging directory for ``target``, swapped in when the block succeeds and removed when it
    fails: a failed write (a full disk) leaves the previous ``target`` whole and no half-written copy."""
    staging = fresh_sibling(target, suffix)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_directory(staging, target)


def swap_directory(staging: Path, target: Path) -> Path:
    """Put the finished ``staging`` directory in the place of ``target`` (which may not exist)."""
    old = old_sibling(target)
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)
    return target
