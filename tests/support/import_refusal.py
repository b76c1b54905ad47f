"""What the importers' tests ask of bad input: exit 2, one ``lime: error:`` line, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest


def assert_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path, status: int, message: str) -> None:
    """Exit 2, one ``lime: error:`` line holding ``message``, and nothing under ``tmp_path/outs`` (not even a
    partial directory)."""
    error = capsys.readouterr().err
    assert status == 2
    assert error.startswith("lime: error: ") and message in error and error.count("\n") == 1, error
    outs = tmp_path / "outs"
    assert not outs.exists() or list(outs.iterdir()) == []
