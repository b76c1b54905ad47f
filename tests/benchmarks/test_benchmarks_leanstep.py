"""Importing LeanStep: lean-step's hash split by declaration name (against numbers worked out here with
decimal arithmetic), the released next-lemma and skip-proof files (hand-written
fixtures, see fixtures/README.md), bad input of every kind, and the import through finetune and evaluate.
"""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal, localcontext
from pathlib import Path

import pytest
from import_refusal import assert_refused

from lime_reasoning.benchmarks.leanstep import hash_split, name_hash
from lime_reasoning.cli import main
from lime_reasoning.datasets import read_records

FIXTURES = Path(__file__).parent / "fixtures" / "leanstep"
RELEASED = FIXTURES / "next_lemma_prediction.json"
NAMED = FIXTURES / "named" / "next_lemma_prediction.json"
SKIP_PROOF = FIXTURES / "skip_proof.json"
SPLITS = ("train", "valid", "test")
PI = Decimal("3.141592653589793238462643383279502884197169399375105820974944592307816406286")

# x = int(sha256(name).hexdigest(), 16) % 10**30 and the fractional part of x * pi (18 decimals), worked out
# once with decimal arithmetic at 80 digits; the split is train below 0.92, valid below 0.96, else test.
HASHES = {
    "nat.zero_add": (6932874653752963379383547506, "0.213101431105086720", "train"),
    "nat.add_comm": (192852024185342924803883919092, "0.154409422849783552", "train"),
    "list.append_nil": (28395483597784186268627274653, "0.383249344682162043", "train"),
    "list.map_id": (116935652475889509306491532785, "0.613104798102525099", "train"),
    "abs_nonneg": (946624812478488152354826208981, "0.915230186366956430", "train"),
    "add_comm": (47337633041332484024891967111, "0.945185568775324454", "valid"),
    "list.length_repeat": (157601037357516728210903922281, "0.988436834487230459", "test"),
}


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def lemma_name(lemma: str) -> str:
    match = re.fullmatch(r"\((\S+) : .*\)", lemma)
    assert match, lemma
    return match.group(1)


def leanstep(src: Path, out: Path, *options: str) -> int:
    return main(["benchmark", "import", "leanstep", str(src), "--out", str(out), "--quiet", *options])


@pytest.mark.parametrize("name", list(HASHES))
def test_hash_split_of_worked_examples(name: str) -> None:
    x, fraction, split = HASHES[name]
    assert int(hashlib.sha256(name.encode("utf-8")).hexdigest(), 16) % 10**30 == x
    with localcontext() as context:
        context.prec = 80
        assert abs((x * PI) % 1 - Decimal(fraction)) < Decimal("1e-18")
    assert abs(float(name_hash(name)) - float(fraction)) < 1e-15
    assert hash_split(name) == split
    assert hash_split(f"{name} nat list") == split  # dhash hashes a declarations log line's first word


def test_records_with_declaration_names_take_lean_steps_split(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "named"
    assert leanstep(NAMED, out, "--format", "text,jsonl") == 0
    raw = records(NAMED)
    for split in SPLITS:
        rows = read_records(out, split, "jsonl")
        expected = [r for r in raw if HASHES[r["decl_nm"]][2] == split]
        assert rows == [{"src": r["goal"], "tgt": r["next_lemma"], "lemma": lemma_name(r["next_lemma"]),
                         "declaration": r["decl_nm"]} for r in expected]
        assert read_records(out, split, "text") == rows  # tabs and non-ASCII survive the text files
    meta = json.loads((out / "meta.json").read_text())
    assert meta["kind"] == "leanstep" and meta["split"]["groups"] == {"train": 4, "valid": 1, "test": 1, "unused": 0}
    # nat.zero_add 2 + nat.add_comm 3 + list.append_nil 1 + list.map_id 1; add_comm 1; list.length_repeat 2
    assert meta["counts"] == {"train": 7, "valid": 1, "test": 2}
    assert "train 4 declarations / 7 examples, valid 1 declaration / 1 example, test 1 declaration / 2 examples" in (
        capsys.readouterr().out)


@pytest.mark.parametrize("lemma", ["typed", "name"])
def test_released_next_lemma_file_split_by_source(tmp_path: Path, lemma: str) -> None:
    out = tmp_path / "released"
    assert leanstep(RELEASED, out, "--train", "5", "--valid", "2", "--test", "2", "--lemma", lemma) == 0
    raw = records(RELEASED)
    sources = {split: [r["src"] for r in read_records(out, split)] for split in SPLITS}
    assert [len(set(sources[split])) for split in SPLITS] == [5, 2, 2]
    pairs = (("train", "valid"), ("train", "test"), ("valid", "test"))
    assert all(set(sources[a]).isdisjoint(sources[b]) for a, b in pairs)
    for split in SPLITS:
        # Every record of a chosen source, in file order: the two goals that occur twice stay together.
        kept = [r for r in raw if r["goal"] in sources[split]]
        target = (lambda r: lemma_name(r["next_lemma"])) if lemma == "name" else (lambda r: r["next_lemma"])
        assert read_records(out, split) == [{"src": r["goal"], "tgt": target(r), "lemma": lemma_name(r["next_lemma"])}
                                            for r in kept]
    meta = json.loads((out / "meta.json").read_text())
    distinct = len({r["goal"] for r in raw})
    assert meta["split"]["groups"] == {"train": 5, "valid": 2, "test": 2, "unused": distinct - 9}
    assert meta["config"] == {"task": "next-lemma", "lemma": lemma}


def test_skip_proof_file(tmp_path: Path) -> None:
    out = tmp_path / "skip"
    assert leanstep(SKIP_PROOF, out, "--train", "0.5", "--valid", "0.25", "--test", "0.25", "--seed", "2") == 0
    rows = [row for split in SPLITS for row in read_records(out, split)]
    raw = records(SKIP_PROOF)
    assert sorted(rows, key=str) == sorted(({"src": r["skip_proof"], "tgt": r["proof_term"]} for r in raw), key=str)
    assert json.loads((out / "meta.json").read_text())["columns"] == ["src", "tgt"]


def test_the_task_comes_from_the_file_or_the_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sizes = ["--train", "4", "--valid", "1", "--test", "1"]
    assert leanstep(NAMED.parent, tmp_path / "a") == 0  # the only task file there
    assert json.loads((tmp_path / "a" / "meta.json").read_text())["config"]["task"] == "next-lemma"
    assert leanstep(FIXTURES, tmp_path / "b", "--task", "skip-proof", *sizes) == 0
    assert (tmp_path / "b" / "train.tgt").read_text().split("\n")[0] in {r["proof_term"] for r in records(SKIP_PROOF)}
    renamed = tmp_path / "mine.jsonl"
    renamed.write_bytes(SKIP_PROOF.read_bytes())
    assert leanstep(renamed, tmp_path / "c", "--task", "skip-proof", *sizes) == 0
    capsys.readouterr()


def rewritten(tmp_path: Path, source: Path, edit, name: str | None = None) -> Path:
    """A copy of ``source`` whose lines ``edit`` rewrites (given their 1-based numbers and lines)."""
    path = tmp_path / "input" / (name or source.name)
    path.parent.mkdir()
    lines = source.read_text(encoding="utf-8").splitlines()
    path.write_text("".join(line + "\n" for line in edit(lines)), encoding="utf-8")
    return path


def at(number: int, change):
    """An edit that changes line ``number`` only (``change`` takes the record, returns the new line)."""
    return lambda lines: [change(json.loads(line)) if i == number else line for i, line in enumerate(lines, 1)]


def without(key: str):
    return lambda record: json.dumps({k: v for k, v in record.items() if k != key})


def setting(key: str, value):
    return lambda record: json.dumps({**record, key: value})


FAULTS = {
    "malformed JSON": (RELEASED, at(3, lambda r: json.dumps(r)[:-1]), ":3: not valid JSON ("),
    "blank line": (RELEASED, at(6, lambda r: ""), ":6: not valid JSON ("),
    "not an object": (RELEASED, at(2, lambda r: "[1, 2]"), ":2: expected a JSON object, not list"),
    "goal missing": (RELEASED, at(4, without("goal")), ":4: missing field 'goal'"),
    "lemma missing": (RELEASED, at(12, without("next_lemma")), ":12: missing field 'next_lemma'"),
    "goal null": (RELEASED, at(5, setting("goal", None)), ":5: field 'goal' must be a non-empty string, not null"),
    "newline": (RELEASED, at(7, lambda r: json.dumps({**r, "goal": r["goal"].replace("\t", "\n")})),
                ":7: field 'goal' holds a newline"),
    "no turnstile": (RELEASED, at(8, lambda r: json.dumps({**r, "goal": r["goal"].replace("⊢", "|-")})),
                     ":8: field 'goal' holds no ⊢"),
    "lemma not typed": (RELEASED, at(9, setting("next_lemma", "nat.rec_on")),
                        ":9: field 'next_lemma' is not of the form '(name : type)': 'nat.rec_on'"),
    "name on one line": (RELEASED, at(3, setting("decl_nm", "nat.add_comm")),
                         ":3: has a field 'decl_nm', which line 1 lacks (records carry the declaration name"),
    "name missing": (NAMED, at(5, without("decl_nm")), ":5: missing field 'decl_nm', which line 1 has"),
    "skip proof missing": (SKIP_PROOF, at(2, without("skip_proof")), ":2: missing field 'skip_proof'"),
    "no PREDICT": (SKIP_PROOF, at(4, lambda r: json.dumps({**r, "skip_proof": r["skip_proof"].replace("PREDICT", "")})),
                   ":4: field 'skip_proof' holds no PREDICT"),
    "empty split": (NAMED, lambda lines: lines[:7],
                    ": none of its 4 declarations hashes into the valid split, which would be empty"),
    "empty file": (RELEASED, lambda lines: [], ": holds no example, so the dataset would be empty"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str], fault: str) -> None:
    source, edit, message = FAULTS[fault]
    path = rewritten(tmp_path, source, edit)
    sizes = [] if source == NAMED else ["--train", "2", "--valid", "1", "--test", "1"]
    status = leanstep(path, tmp_path / "outs" / "lean", *sizes)
    assert_refused(capsys, tmp_path, status, f"lime: error: {path}{message}")


@pytest.mark.parametrize(
    ("src", "options", "message"),
    [
        (NAMED, ["--train", "3", "--seed", "1"], ("--train, --seed: the records carry the declaration name (decl_nm) "
                                                  "and are split by lean-step's hash of it, so there is no seeded "
                                                  "split to size or seed")),
        (SKIP_PROOF, ["--lemma", "name"], "--lemma: applies to --task next-lemma only, not skip-proof"),
        (RELEASED, ["--lemma", "both"], "--lemma: choose from typed, name, not 'both'"),
        (RELEASED, ["--task", "premises"], "--task: choose from next-lemma, skip-proof, not 'premises'"),
        (FIXTURES, [], f"{FIXTURES}: holds both next_lemma_prediction.json and skip_proof.json; pass --task"),
        (NAMED.parent, ["--task", "skip-proof"],
         f"{NAMED.parent / 'skip_proof.json'}: missing (--task skip-proof reads it)"),
        (FIXTURES / "nothing", [], "nothing: no such file or directory"),
        (FIXTURES.parent / "isarstep", [], "isarstep: holds neither next_lemma_prediction.json nor skip_proof.json"),
        (RELEASED, [], "--valid 0.04: the valid split would be empty (0.04 of 10 sources rounds to none)"),
    ],
)
def test_bad_options(tmp_path: Path, capsys: pytest.CaptureFixture[str], src: Path, options: list[str],
                     message: str) -> None:
    assert_refused(capsys, tmp_path, leanstep(src, tmp_path / "outs" / "lean", *options), message)


def test_imported_leanstep_train_finetune_evaluate(tmp_path: Path) -> None:
    """A tiny model trained on the hash-split import, fine-tuned on the name-only import of the released file."""
    named, names = tmp_path / "named", tmp_path / "names"
    assert leanstep(NAMED, named) == 0
    assert leanstep(RELEASED, names, "--lemma", "name", "--train", "6", "--valid", "2", "--test", "2") == 0
    every = ["--valid-every", "2", "--save-every", "2", "--log-every", "2", "--max-steps", "2"]
    small = ["--preset", "tiny", *every]
    for field in ("d_model=32", "encoder_layers=1", "decoder_layers=1", "encoder_ffn_dim=64", "decoder_ffn_dim=64",
                  "max_position_embeddings=128"):
        small += ["--set", field]
    assert main(["train", "--data", str(named), "--out", str(tmp_path / "pre"), *small]) == 0
    assert main(["finetune", "--init", str(tmp_path / "pre"), "--data", str(names), "--out", str(tmp_path / "ft"),
                 *every]) == 0
    evaluation = tmp_path / "eval"
    assert main(["evaluate", "--model", str(tmp_path / "ft"), "--data", str(names), "--split", "test", "--beam", "2",
                 "--max-length", "8", "--out", str(evaluation)]) == 0
    metrics = json.loads((evaluation / "metrics.json").read_text())
    test_rows = (names / "test.src").read_text(encoding="utf-8").count("\n")
    assert metrics["examples"] == test_rows and 0 <= metrics["top1"] <= metrics["top2"] <= 1
    predictions = [json.loads(line) for line in (evaluation / "predictions.jsonl").read_text().splitlines()]
    assert [p["lemma"] for p in predictions] == (names / "test.tgt").read_text(encoding="utf-8").split()
