"""A data file that is not UTF-8 (or holds rows a dataset cannot) is one ``lime: error:`` line naming
the file, the line and the byte, whichever command reads it, and whichever format it is in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lime_reasoning.cli import main
from lime_reasoning.datasets import iter_blocks, read_records
from lime_reasoning.errors import LimeError

LATIN1 = "café".encode("latin-1")  # b"caf\xe9": a Latin-1 file, the usual way a non-UTF-8 byte arrives


def write_text_split(directory: Path, rows: int, bad_row: int, column: str = "src") -> int:
    """``rows`` UTF-8 rows (with multi-byte characters) whose row ``bad_row`` (0-based) of ``column``
    ends in a Latin-1 word; return the file offset of the bad byte."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = {name: [f"{name} ß {i}".encode() for i in range(rows)] for name in ("src", "tgt")}
    lines[column][bad_row] += b" " + LATIN1
    for name, values in lines.items():
        (directory / f"train.{name}").write_bytes(b"".join(line + b"\n" for line in values))
    return sum(len(line) + 1 for line in lines[column][:bad_row]) + len(lines[column][bad_row]) - 1


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("lime: error: ")
    return lines[0]


@pytest.mark.parametrize("column", ["src", "tgt"])
def test_text_names_file_line_and_offset_across_blocks(tmp_path: Path, column: str) -> None:
    offset = write_text_split(tmp_path, rows=10, bad_row=6, column=column)
    with pytest.raises(LimeError) as caught:
        for _ in iter_blocks(tmp_path, "train", block_rows=4):  # the bad line is in the second block
            pass
    assert str(caught.value).startswith(f"{tmp_path / f'train.{column}'}:7: not UTF-8 text (byte 0xe9 at offset "
                                        f"{offset} of the file)")


def test_last_line_without_newline(tmp_path: Path) -> None:
    (tmp_path / "train.src").write_bytes(b"a\nb " + LATIN1)
    (tmp_path / "train.tgt").write_bytes(b"a\nb")
    with pytest.raises(LimeError, match=r"train\.src:2: not UTF-8 text \(byte 0xe9 at offset 7 "):
        read_records(tmp_path, "train")


def test_valid_utf8_reads_back(tmp_path: Path) -> None:
    write_text_split(tmp_path, rows=3, bad_row=0)
    (tmp_path / "train.src").write_text("ß 0\nß 1\n€ 2", encoding="utf-8")
    assert [r["src"] for r in read_records(tmp_path, "train")] == ["ß 0", "ß 1", "€ 2"]


def test_jsonl(tmp_path: Path) -> None:
    good = b'{"src": "\xc3\x9f", "tgt": "b"}\n'
    (tmp_path / "train.jsonl").write_bytes(good * 2 + b'{"src": "' + LATIN1 + b'", "tgt": "b"}\n')
    with pytest.raises(LimeError) as caught:
        read_records(tmp_path, "train")
    assert str(caught.value).startswith(
        f"{tmp_path / 'train.jsonl'}:3: not UTF-8 text (byte 0xe9 at offset {2 * len(good) + 12} of the file)")


def test_jsonl_field_with_newline(tmp_path: Path) -> None:
    (tmp_path / "train.jsonl").write_text('{"src": "a", "tgt": "b"}\n{"src": "a\\nb", "tgt": "b"}\n')
    with pytest.raises(LimeError, match=r"train\.jsonl:2: field 'src' contains a newline"):
        read_records(tmp_path, "train")


def raw_strings(values: list[bytes]) -> pa.Array:
    """A parquet string column holding exactly these bytes (Arrow does not check them on write)."""
    offsets = np.cumsum([0] + [len(v) for v in values]).astype(np.int32)
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(values))]
    return pa.Array.from_buffers(pa.string(), len(values), buffers)


@pytest.mark.parametrize(("src", "message"), [
    ([b"a", b"b", b"x " + LATIN1], r": row 3, column 'src': not UTF-8 text \(byte 0xe9 at offset 5 of the value\)"),
    ([b"a", b"b\nc", b"d"], r": row 2: field 'src' contains a newline"),
])
def test_parquet(tmp_path: Path, src: list[bytes], message: str) -> None:
    pq.write_table(pa.table({"src": raw_strings(src), "tgt": pa.array(["t"] * 3)}), tmp_path / "train.parquet",
                   row_group_size=2)
    with pytest.raises(LimeError, match=r"train\.parquet" + message):
        read_records(tmp_path, "train")


@pytest.mark.parametrize(("column", "message"), [
    (pa.array(["a", None, "c"]), r"train\.parquet: row 2: column 'tgt' is null"),
    (pa.array([1.5, 2.5, 3.5]), r"train\.parquet: column 'tgt' has type double; expected strings or integers"),
])
def test_parquet_column_that_is_not_text(tmp_path: Path, column: pa.Array, message: str) -> None:
    pq.write_table(pa.table({"src": pa.array(["a", "b", "c"]), "tgt": column}), tmp_path / "train.parquet")
    with pytest.raises(LimeError, match=message):
        read_records(tmp_path, "train")


def test_stats_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``lime stats`` counts tokens on the raw bytes, so it used to pass bad bytes silently."""
    write_text_split(tmp_path / "data", rows=5, bad_row=2)
    assert main(["stats", str(tmp_path / "data")]) == 2
    assert f"{tmp_path / 'data' / 'train.src'}:3: not UTF-8 text" in one_error_line(capsys)


def test_metamath_check_dataset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    write_text_split(data, rows=3, bad_row=1, column="tgt")
    for name in ("src", "tgt"):
        (data / f"train.{name}").rename(data / f"test.{name}")
    (data / "test.theorem").write_text("a\nb\nc\n")
    assert main(["metamath", "check", str(data), "--split", "test", "--quiet"]) == 2
    assert f"{data / 'test.tgt'}:2: not UTF-8 text" in one_error_line(capsys)


@pytest.mark.parametrize("command", [["train"], ["finetune", "--init", "pretrained-run"]])
def test_training_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    """The vocabulary is built from the data before anything else, so the bad byte stops the run at once."""
    write_text_split(tmp_path / "data", rows=5, bad_row=4, column="tgt")
    out = tmp_path / "run"
    assert main([*command, "--data", str(tmp_path / "data"), "--out", str(out), "--max-steps", "1"]) == 2
    assert f"{tmp_path / 'data' / 'train.tgt'}:5: not UTF-8 text" in one_error_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
