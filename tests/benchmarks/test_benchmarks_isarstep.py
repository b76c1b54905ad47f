"""Importing IsarStep: the real CausalSteps sample (split by theorem, meta columns, global facts), fairseq
pairs made from it, bad input of every kind, and the imported data through finetune and evaluate.

Expected values come from the raw files read with plain Python (``str.split``), never from the importer.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from import_refusal import assert_refused

from lime_reasoning.benchmarks.importing import DEFAULT_SIZES
from lime_reasoning.cli import main
from lime_reasoning.datasets import read_records

SHARED = Path("/work/shared/fixtures/isarstep/CausalSteps")
EXCERPT = Path(__file__).parent / "fixtures" / "isarstep" / "CausalSteps"
FIXTURE = SHARED if SHARED.is_dir() else EXCERPT
SPLITS = ("train", "valid", "test")
META_FIELDS = ("theory", "theorem", "location_in_theorem", "refinement_step_location", "compound_index",
               "target_ascii", "has_consequence", "location_in_theorem_consequence",
               "refinement_step_location_consequence", "compound_index_consequence", "consequences_ascii")
MARKERS = {"<used_local_facts>", "<consequences>", "<consequences_others>", "<used_global_facts>", "<SEP>"}


def raw_lines(directory: Path, name: str) -> list[str]:
    return (directory / name).read_text(encoding="utf-8").split("\n")[:-1]


def raw_examples(directory: Path = FIXTURE, source: str = "source.txt") -> list[dict]:
    """The examples as the files hold them: token lists and meta.txt's fields split on <!;!>."""
    sources, targets, metas = (raw_lines(directory, name) for name in (source, "target.txt", "meta.txt"))
    assert len(sources) == len(targets) == len(metas)
    fields = [m.split("<!;!>") for m in metas]
    assert all(len(f) == len(META_FIELDS) for f in fields)
    return [{"src": s.split(), "tgt": t.split(), **dict(zip(META_FIELDS, f))}
            for s, t, f in zip(sources, targets, fields)]


def theorems(examples: list[dict]) -> list[str]:
    return list(dict.fromkeys(e["theorem"] for e in examples))


def small_sizes(directory: Path = FIXTURE) -> list[str]:
    """One theorem each for valid and test, the rest for train."""
    count = len(theorems(raw_examples(directory)))
    return ["--train", str(count - 2), "--valid", "1", "--test", "1"]


def isarstep(src: Path, out: Path, *options: str) -> int:
    return main(["benchmark", "import", "isarstep", str(src), "--out", str(out), "--quiet", *options])


def as_tokens(record: dict) -> dict:
    return {**record, "src": record["src"].split(), "tgt": record["tgt"].split()}


def test_causal_steps_split_by_theorem_with_meta_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "isar"
    assert isarstep(FIXTURE, out, *small_sizes(), "--format", "text,jsonl,parquet") == 0
    raw = raw_examples()
    assert len(raw) == (70 if FIXTURE == SHARED else 29)  # wc -l of every file of the sample
    records = {name: read_records(out, name, "jsonl") for name in SPLITS}
    held = {name: {r["theorem"] for r in rows} for name, rows in records.items()}
    assert [len(held[name]) for name in SPLITS] == [len(theorems(raw)) - 2, 1, 1]
    assert set().union(*held.values()) == set(theorems(raw))
    assert held["train"].isdisjoint(held["valid"] | held["test"]) and held["valid"].isdisjoint(held["test"])
    for name, rows in records.items():
        # Each split holds every example of its theorems, in file order, tokens and meta fields unchanged.
        assert [as_tokens(r) for r in rows] == [e for e in raw if e["theorem"] in held[name]]
        assert read_records(out, name, "text") == rows == pq.read_table(out / f"{name}-00000.parquet").to_pylist()
    meta = json.loads((out / "meta.json").read_text())
    assert meta["kind"] == "isarstep" and meta["input"]["layout"] == "CausalSteps"
    assert meta["columns"] == ["src", "tgt", *META_FIELDS]
    assert meta["counts"] == {name: len(rows) for name, rows in records.items()}
    assert meta["split"]["groups"] == {"train": len(held["train"]), "valid": 1, "test": 1, "unused": 0}
    assert meta["variables"] == sorted({t for e in raw for t in e["src"] + e["tgt"] if t.startswith("<X")},
                                       key=lambda t: int(t[2:-1]))
    assert [f["name"] for f in meta["input"]["files"]] == ["source.txt", "target.txt", "meta.txt"]
    train = f"{len(held['train'])} theorem{'s' if len(held['train']) > 1 else ''} / {len(records['train'])} examples"
    assert f"{out}: train {train}, valid 1 theorem / {len(records['valid'])} example" in capsys.readouterr().out


def test_global_facts_come_from_source_g(tmp_path: Path) -> None:
    for options, source in (([], "source.txt"), (["--global-facts"], "source_g.txt")):
        out = tmp_path / source
        assert isarstep(FIXTURE, out, "--train", "1.0", "--valid", "0", "--test", "0", *options) == 0
        assert [r["src"].split() for r in read_records(out, "train")] == [e["src"] for e in raw_examples(source=source)]
        assert json.loads((out / "meta.json").read_text())["config"]["global_facts"] == bool(options)
    with_global = read_records(tmp_path / "source_g.txt", "train")
    assert all(r["src"].split().count("<used_global_facts>") == 1 for r in with_global)


def test_markers_stay_whole_tokens(tmp_path: Path) -> None:
    glued = tmp_path / "glued"
    shutil.copytree(FIXTURE, glued)
    lines = raw_lines(FIXTURE, "source.txt")
    changed = [line.replace("<used_local_facts> <SEP>", "<used_local_facts><SEP>")
               .replace("<consequences> ", "<consequences>") for line in lines]
    assert changed != lines
    (glued / "source.txt").write_text("".join(line + "\n" for line in changed), encoding="utf-8")
    out = tmp_path / "out"
    assert isarstep(glued, out, "--train", "1.0", "--valid", "0", "--test", "0") == 0
    rows = read_records(out, "train")
    assert [r["src"].split() for r in rows] == [line.split() for line in lines]
    shaped = {t for r in rows for t in r["src"].split() if t.startswith("<") and t.endswith(">")}
    assert shaped - MARKERS == {t for t in shaped if t[:2] == "<X" and t[2:-1].isdigit()}
    assert sum(r["src"].split().count("<consequences_others>") for r in rows) == len(lines)


def fairseq_pairs(directory: Path, source: str = "source_g.txt") -> dict[str, list[int]]:
    """train / valid / test pairs from the sample's lines (all but the last ten, five, five); their line numbers."""
    sources, targets = raw_lines(FIXTURE, source), raw_lines(FIXTURE, "target.txt")
    count = len(sources)
    numbers = {"train": list(range(count - 10)), "valid": list(range(count - 10, count - 5)),
               "test": list(range(count - 5, count))}
    directory.mkdir()
    for split, rows in numbers.items():
        (directory / f"{split}.src").write_text("".join(sources[i] + "\n" for i in rows), encoding="utf-8")
        (directory / f"{split}.tgt").write_text("".join(targets[i] + "\n" for i in rows), encoding="utf-8")
    return numbers


def test_fairseq_pairs_keep_their_split(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    numbers = fairseq_pairs(tmp_path / "pairs")
    for options, source in (([], "source.txt"), (["--global-facts"], "source_g.txt")):
        out = tmp_path / f"out-{source}"
        assert isarstep(tmp_path / "pairs", out, *options, "--format", "jsonl") == 0
        raw = raw_examples(source=source)
        for split, rows in numbers.items():
            records = read_records(out, split)
            assert list(records[0]) == ["src", "tgt"]
            # Without --global-facts the section is cut from source_g's lines: what is left is source.txt's line.
            assert [as_tokens(r) for r in records] == [{"src": raw[i]["src"], "tgt": raw[i]["tgt"]} for i in rows]
        meta = json.loads((out / "meta.json").read_text())
        assert meta["input"]["layout"] == "fairseq" and meta["counts"] == {s: len(n) for s, n in numbers.items()}
    assert f"train {len(numbers['train'])} examples, valid 5 examples, test 5 examples" in capsys.readouterr().out


def test_same_seed_same_bytes_other_seeds_other_splits(tmp_path: Path) -> None:
    assert isarstep(FIXTURE, tmp_path / "a", *small_sizes(), "--seed", "3") == 0
    assert isarstep(FIXTURE, tmp_path / "b", *small_sizes(), "--seed", "3") == 0
    names = sorted(p.name for p in (tmp_path / "a").iterdir() if p.name != "meta.json")
    assert all((tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes() for n in names)
    tests = set()
    for seed in range(6):
        assert isarstep(FIXTURE, tmp_path / f"s{seed}", *small_sizes(), "--seed", str(seed)) == 0
        tests.add((tmp_path / f"s{seed}" / "test.theorem").read_text())
    assert len(tests) > 1


def test_an_existing_dataset_is_kept_unless_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "isar"
    assert isarstep(FIXTURE, out, *small_sizes()) == 0
    assert isarstep(FIXTURE, out, *small_sizes()) == 2
    assert "pass --overwrite" in capsys.readouterr().err
    assert isarstep(FIXTURE, out, *small_sizes(), "--seed", "1", "--overwrite") == 0


def test_the_help_states_the_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["benchmark", "import", "isarstep", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name, size in DEFAULT_SIZES.items():
        assert f"--{name} N|F {name} theorems: a count, or a fraction with a decimal point (default: {size};" in text


def rewrite(path: Path, number: int, edit) -> None:
    """Replace line ``number`` (1-based) of ``path`` with ``edit(line)``; None deletes it."""
    lines = path.read_bytes().split(b"\n")[:-1]
    new = edit(lines[number - 1])
    lines[number - 1 : number] = [] if new is None else [new]
    path.write_bytes(b"".join(line + b"\n" for line in lines))


def causal_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "CausalSteps"
    shutil.copytree(FIXTURE, copy)
    return copy


def replacing(name: str, number: int, old: bytes, new: bytes):
    """A fault: ``old`` becomes ``new`` in line ``number`` of file ``name``."""
    return lambda directory: rewrite(directory / name, number, lambda line: line.replace(old, new))


def emptied_field(line: bytes, index: int) -> bytes:
    fields = line.split(b"<!;!>")
    return b"<!;!>".join([*fields[:index], b"", *fields[index + 1 :]])


LAST = len(raw_lines(FIXTURE, "target.txt"))
KNOWN = "(IsarStep's are <used_local_facts>, <consequences>, <consequences_others>, <used_global_facts>, <SEP>)"
CAUSAL_FAULTS = {
    "target short": (lambda d: rewrite(d / "target.txt", LAST, lambda line: None),
                     f"source.txt:{LAST}: has no counterpart in target.txt, which ends after {LAST - 1} lines"),
    "meta long": (lambda d: rewrite(d / "meta.txt", LAST, lambda line: line + b"\n" + line),
                  f"meta.txt:{LAST + 1}: has no counterpart in source.txt, which ends after {LAST} lines"),
    "unknown marker": (replacing("source.txt", 5, b"<consequences_others>", b"<conclusions>"),
                       f"source.txt:5: unknown section marker <conclusions> {KNOWN}"),
    "glued unknown marker": (replacing("source.txt", 2, b"<consequences>", b"<consequences><lemma>"),
                             "source.txt:2: unknown section marker <lemma>"),
    "marker in target": (lambda d: rewrite(d / "target.txt", 3, lambda line: line + b" <SEP>"),
                         "target.txt:3: a target holds the section marker <SEP>; a target is one proposition"),
    "meta field missing": (lambda d: rewrite(d / "meta.txt", 7, lambda line: line.rsplit(b"<!;!>", 1)[0]),
                           "meta.txt:7: 10 fields joined by <!;!>, expected 11 (theory, theorem, "),
    "theorem empty": (lambda d: rewrite(d / "meta.txt", 2, lambda line: emptied_field(line, 1)),
                      "meta.txt:2: the theorem field is empty"),
    "empty target": (lambda d: rewrite(d / "target.txt", 4, lambda line: b"  "),
                     "target.txt:4: empty line, expected an example"),
    "not UTF-8": (lambda d: rewrite(d / "source.txt", 6, lambda line: line + b" \xff"),
                  "source.txt:6: not UTF-8 text"),
    "no source_g": (lambda d: (d / "source_g.txt").unlink(), "source_g.txt: missing"),
    "empty input": (lambda d: [(d / n).write_text("") for n in ("source.txt", "target.txt", "meta.txt")],
                    "source.txt: holds no example, so the dataset would be empty"),
}


@pytest.mark.parametrize("fault", list(CAUSAL_FAULTS))
def test_bad_causal_steps_input(tmp_path: Path, capsys: pytest.CaptureFixture[str], fault: str) -> None:
    damage, message = CAUSAL_FAULTS[fault]
    source = causal_copy(tmp_path)
    damage(source)
    options = ["--global-facts"] if fault == "no source_g" else []
    assert_refused(capsys, tmp_path, isarstep(source, tmp_path / "outs" / "isar", *small_sizes(), *options), message)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ([], "--valid 0.04: the valid split would be empty (0.04 of "),  # the defaults, on a sample of a few theorems
        (["--train", "50"], "train 50, valid 0, test 0 theorems requested but only "),
        (["--train", "0.9", "--valid", "0.2"], "the split fractions add up to 1.14"),
    ],
)
def test_bad_split_options(tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str],
                            message: str) -> None:
    status = isarstep(FIXTURE, tmp_path / "outs" / "isar", *options)
    assert_refused(capsys, tmp_path, status, message)


FAIRSEQ_FAULTS = {
    "empty split": (lambda d: [(d / n).write_text("") for n in ("valid.src", "valid.tgt")],
                    "valid.src: holds no example, so the valid split would be empty"),
    "target file missing": (lambda d: (d / "train.tgt").unlink(), "train.src: has no train.tgt beside it"),
    "misaligned": (lambda d: rewrite(d / "test.tgt", 5, lambda line: None),
                   "test.src:5: has no counterpart in test.tgt, which ends after 4 lines"),
    "unknown marker": (replacing("train.src", 3, b"<consequences>", b"<goal>"),
                       f"train.src:3: unknown section marker <goal> {KNOWN}"),
    "nothing there": (lambda d: [p.unlink() for p in d.iterdir()], "neither a CausalSteps directory"),
}


@pytest.mark.parametrize("fault", list(FAIRSEQ_FAULTS))
def test_bad_fairseq_input(tmp_path: Path, capsys: pytest.CaptureFixture[str], fault: str) -> None:
    damage, message = FAIRSEQ_FAULTS[fault]
    fairseq_pairs(tmp_path / "pairs")
    damage(tmp_path / "pairs")
    assert_refused(capsys, tmp_path, isarstep(tmp_path / "pairs", tmp_path / "outs" / "isar"), message)


def test_fairseq_pairs_take_no_split_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fairseq_pairs(tmp_path / "pairs")
    status = isarstep(tmp_path / "pairs", tmp_path / "outs" / "isar", "--seed", "1", "--test", "3")
    why = "holds fairseq pairs, which come already split, so there is no seeded split to size or seed"
    assert_refused(capsys, tmp_path, status, f"lime: error: --test, --seed: {tmp_path / 'pairs'} {why}")


@pytest.mark.skipif(not SHARED.is_dir(), reason="the 70-example sample is in /work/shared/fixtures/isarstep")
def test_the_excerpt_is_the_samples_own_lines() -> None:
    for name in ("source.txt", "source_g.txt", "target.txt", "meta.txt"):
        sample, excerpt = raw_lines(SHARED, name), raw_lines(EXCERPT, name)
        assert excerpt == sample[27:44] + sample[58:70], name


def test_imported_isarstep_pretrain_finetune_evaluate(tmp_path: Path) -> None:
    """The LIME path on the real sample: a tiny model pretrained on a toy task, fine-tuned on the import, scored."""
    data, toy = tmp_path / "isar", tmp_path / "toy"
    assert isarstep(FIXTURE, data, *small_sizes()) == 0
    toy.mkdir()
    for split, count in (("train", 32), ("valid", 4)):
        words = [f"w{i % 7} w{(i * 3) % 5} w{i % 3}" for i in range(count)]
        (toy / f"{split}.src").write_text("".join(f"copy {w}\n" for w in words))
        (toy / f"{split}.tgt").write_text("".join(f"{w}\n" for w in words))
    small = ["--preset", "tiny", "--max-tokens", "4096", "--valid-every", "2", "--save-every", "2", "--log-every", "2"]
    for field in ("d_model=32", "encoder_layers=1", "decoder_layers=1", "encoder_ffn_dim=64", "decoder_ffn_dim=64",
                  "max_position_embeddings=1024"):
        small += ["--set", field]
    assert main(["train", "--data", str(toy), "--out", str(tmp_path / "pre"), *small, "--max-steps", "2"]) == 0
    finetune = ["--valid-every", "2", "--save-every", "2", "--log-every", "2", "--max-tokens", "4096"]
    assert main(["finetune", "--init", str(tmp_path / "pre"), "--data", str(data), "--out", str(tmp_path / "ft"),
                 *finetune, "--max-steps", "2"]) == 0
    evaluation = tmp_path / "eval"
    assert main(["evaluate", "--model", str(tmp_path / "ft"), "--data", str(data), "--split", "test", "--beam", "2",
                 "--max-length", "70", "--out", str(evaluation)]) == 0
    metrics = json.loads((evaluation / "metrics.json").read_text())
    test_theorem = (data / "test.theorem").read_text().split("\n")[0]
    expected = Counter(e["theorem"] for e in raw_examples())[test_theorem]
    assert metrics["examples"] == expected
    assert 0 <= metrics["top1"] <= metrics["top2"] <= 1
    predictions = [json.loads(line) for line in (evaluation / "predictions.jsonl").read_text().splitlines()]
    assert len(predictions) == expected and {p["theorem"] for p in predictions} == {test_theorem}
