"""What ``--out`` and ``--overwrite`` may touch: only directories lime wrote, only paths a rename can replace.

A user's own directory must survive any command line, so every refusal is checked by what is still on
disk afterwards: the user's files with their content, and no partial directory beside them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lime_reasoning.cli import main

FIXTURE = Path(__file__).parents[1] / "metamath" / "fixtures" / "prop.mm"


def tree(root: Path) -> dict[str, str | None]:
    """Every path under ``root`` with a file's content (None for a directory)."""
    return {str(p.relative_to(root)): (p.read_text() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def users_directory(tmp_path: Path) -> Path:
    out = tmp_path / "u"
    (out / "sub").mkdir(parents=True)
    (out / "important.txt").write_text("precious\n")
    (out / "sub" / "notes.txt").write_text("mine\n")
    return out


def generate(out: Path | str, *extra: str) -> int:
    return main(["generate", "--task", "deduct", "--train", "10", "--out", str(out), "--quiet", *extra])


def benchmark(out: Path, *extra: str) -> int:
    return main(["benchmark", "build", "metamathstep", "--mm", str(FIXTURE), "--train", "3", "--valid", "2",
                 "--test", "2", "--out", str(out), "--quiet", *extra])


def assert_refused(capsys: pytest.CaptureFixture[str], out: Path | str, why: str) -> None:
    error = capsys.readouterr().err
    assert error.startswith(f"lime: error: {out}: ") and why in error and error.count("\n") == 1, error


@pytest.mark.parametrize("command", [generate, benchmark])
@pytest.mark.parametrize("extra", [["--overwrite"], []])
def test_a_directory_lime_did_not_write_is_never_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           command, extra: list[str]) -> None:
    out = users_directory(tmp_path)
    before = tree(tmp_path)
    assert command(out, *extra) == 2
    assert_refused(capsys, out, "not written by lime")
    assert tree(tmp_path) == before  # the files, their content, and no partial directory beside them


def test_a_meta_json_of_someone_else_does_not_make_it_ours(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = users_directory(tmp_path)
    (out / "meta.json").write_text(json.dumps({"package": "some-other-tool", "kind": "lime-synthetic"}))
    before = tree(tmp_path)
    assert generate(out, "--overwrite") == 2
    assert_refused(capsys, out, "not written by lime")
    assert tree(tmp_path) == before


@pytest.mark.parametrize("command", [generate, benchmark])
def test_overwrite_replaces_a_dataset_lime_wrote(tmp_path: Path, command) -> None:
    out = tmp_path / "data"
    assert generate(out) == 0
    assert command(out, "--overwrite") == 0
    written = json.loads((out / "meta.json").read_text())
    assert written["kind"] == ("lime-synthetic" if command is generate else "metamathstep")
    assert [p.name for p in tmp_path.iterdir()] == ["data"]


@pytest.fixture
def inside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current directory is ``tmp_path/work``, holding one file of the user's."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "keep.txt").write_text("mine\n")
    monkeypatch.chdir(work)
    return work


@pytest.mark.parametrize(("out", "why"), [
    (".", "it is the current directory"),
    ("..", "it contains the current directory"),
    ("../work", "it is the current directory"),
])
@pytest.mark.parametrize("extra", [["--overwrite"], []])
def test_a_path_a_rename_cannot_replace_is_refused_up_front(tmp_path: Path, inside: Path,
                                                            capsys: pytest.CaptureFixture[str], out: str, why: str,
                                                            extra: list[str]) -> None:
    (tmp_path / "meta.json").write_text(json.dumps({"package": "lime-reasoning"}))  # even "ours" is refused
    (inside / "meta.json").write_text(json.dumps({"package": "lime-reasoning"}))
    before = tree(tmp_path)
    assert generate(out, *extra) == 2
    assert_refused(capsys, out, why)
    assert tree(tmp_path) == before  # no "..partial" or ".work.partial"


def test_an_empty_current_directory_is_refused_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert generate(".") == 2
    assert_refused(capsys, ".", "it is the current directory")
    assert list(tmp_path.iterdir()) == []


def test_the_root_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    before = sorted(p.name for p in Path("/").iterdir())
    assert generate("/", "--overwrite") == 2
    assert_refused(capsys, "/", "cannot be an output directory")
    assert sorted(p.name for p in Path("/").iterdir()) == before


def mount_points() -> list[Path]:
    """Mount points other than ``/`` that are directories, from the kernel's own table."""
    lines = Path("/proc/self/mountinfo").read_text().splitlines() if Path("/proc/self/mountinfo").exists() else []
    found = [Path(line.split()[4].replace("\\040", " ")) for line in lines]
    return [p for p in found if p != Path("/") and p.is_dir() and p not in Path.cwd().resolve().parents]


@pytest.mark.skipif(not mount_points(), reason="no mount point besides / to try")
def test_a_mount_point_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    point = mount_points()[0]
    assert generate(point, "--overwrite") == 2
    assert_refused(capsys, point, "it is a mount point")
    assert not (point.parent / f".{point.name}.partial").exists()


def test_a_path_ending_in_dot_dot_names_the_directory_it_leads_to(tmp_path: Path) -> None:
    """``a/b/..`` is ``a``: the partial directory goes beside ``a``, not into a ``b`` that does not exist."""
    (tmp_path / "a").mkdir()
    assert generate(tmp_path / "a" / "b" / "..") == 0
    assert [p.name for p in tmp_path.iterdir()] == ["a"]
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["meta.json", "train.src", "train.task", "train.tgt"]
