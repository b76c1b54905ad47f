"""``lime reproduce --out``: stages are written into the directory itself, so only an experiment's is accepted.

These refusals come before the database is looked for, so they need no set.mm; the runs that do write
(a new directory gets its marker, an old unmarked experiment is still extended) are in
test_experiments_reproduce.py, next to the demo matrix they read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lime_reasoning.cli import main


def tree(root: Path) -> dict[str, str | None]:
    """Every path under ``root`` with a file's content (None for a directory)."""
    return {str(p.relative_to(root)): (p.read_text() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def reproduce(out: Path) -> int:
    return main(["reproduce", "--preset", "demo", "--out", str(out), "--mm", "/nonexistent/set.mm", "--quiet"])


@pytest.mark.parametrize("meta", [
    None,                                                       # a user's own directory
    {"package": "lime-reasoning", "kind": "lime-synthetic"},    # lime's, but a dataset
    {"package": "other-tool", "kind": "experiment"},            # an experiment of someone else's
])
def test_a_directory_that_is_not_an_experiment_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          meta: dict | None) -> None:
    out = tmp_path / "mine"
    (out / "sub").mkdir(parents=True)
    (out / "important.txt").write_text("precious\n")
    if meta is not None:
        (out / "meta.json").write_text(json.dumps(meta))
    before = tree(tmp_path)
    assert reproduce(out) == 2
    error = capsys.readouterr().err
    assert error == (f"lime: error: {out}: not empty and not an experiment directory of lime "
                     f"(no meta.json of kind 'experiment'); choose another --out\n")
    assert tree(tmp_path) == before


def test_an_output_below_a_file_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("mine")
    assert reproduce(blocker / "experiment") == 2
    assert capsys.readouterr().err == f"lime: error: {blocker / 'experiment'}: cannot create it, {blocker} is not a directory\n"
    assert tree(tmp_path) == {"file": "mine"}


@pytest.mark.parametrize("marker", [
    {"package": "lime-reasoning", "kind": "experiment"},
    None,  # empty
])
def test_an_experiment_or_an_empty_directory_gets_past_the_check(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                  marker: dict | None) -> None:
    """The next check (the database) is what stops these: the directory was accepted."""
    out = tmp_path / "experiment"
    out.mkdir()
    if marker is not None:
        (out / "meta.json").write_text(json.dumps(marker))
    assert reproduce(out) == 2
    assert capsys.readouterr().err.startswith("lime: error: /nonexistent/set.mm: ")
