"""Real failing writes for tests: a cap on the size of every file a ``lime`` process writes, or a tiny
file system that really fills up.

``RLIMIT_FSIZE`` needs no privileges: with ``SIGXFSZ`` ignored, a write past the cap fails with EFBIG
exactly where a full disk fails with ENOSPC. A tmpfs needs ``mount``, so its users skip without it.
"""

from __future__ import annotations

import contextlib
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def lime_with_file_limit(args: list[str], limit: int, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``lime ARGS`` in a child whose files cannot grow past ``limit`` bytes."""

    def cap() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write then fails (EFBIG) instead of killing the child
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-m", "lime_reasoning", *args], preexec_fn=cap, capture_output=True,
                          text=True, timeout=timeout, check=False)


@contextlib.contextmanager
def small_disk(directory: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` (``"1m"``) mounted at ``directory``; skips the test where mounting is not permitted."""
    directory.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill up (needs mount privileges): {mounted.stderr.strip()}")
    try:
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=True)


def grow_disk(directory: Path, size: str) -> None:
    """Free space on a :func:`small_disk` by making it larger."""
    subprocess.run(["mount", "-o", f"remount,size={size}", str(directory)], check=True)
