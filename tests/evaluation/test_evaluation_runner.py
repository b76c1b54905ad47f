"""``lime evaluate``: batched beam search against one-by-one ``generate()``, metrics, checkers, resume."""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

from lime_reasoning.cli import main
from lime_reasoning.evaluation.runner import CHUNK
from lime_reasoning.modeling.model import bart_config, build_model
from lime_reasoning.modeling.model_presets import resolve_model_preset
from lime_reasoning.modeling.vocabulary import save_tokenizer, tokenizer_from_lines

BEAM, LENGTH = 3, 6
COUNT = 160  # more than one checkpointed chunk of the runner
SYMBOLS = [f"w{i}" for i in range(15)]


PARITY = "the prediction has an even number of words in 'even' examples, an odd number in the others"


def parity_of_task(record: Mapping[str, Any], prediction: str) -> bool:
    """A checker whose verdict the test can compute on its own; it reads a column besides src (task)."""
    return len(prediction.split()) % 2 == (record["task"] != "even")


def make_checker(data_dir: Path, split: str):
    parity_of_task.guarantee = PARITY  # type: ignore[attr-defined]
    return parity_of_task


def make_badly_declared_checker(data_dir: Path, split: str):
    def check(record: Mapping[str, Any], prediction: str) -> bool:
        return True

    check.guarantee = 3  # type: ignore[attr-defined]
    return check


def make_broken_checker(data_dir: Path, split: str):
    """A factory that fails the way a user's code may: with an exception of its own."""
    raise OSError("no such service")


class Interrupt:
    calls = 0


def make_interrupting_checker(data_dir: Path, split: str):
    """Declares no guarantee."""
    def check(record: Mapping[str, Any], prediction: str) -> bool:
        Interrupt.calls += 1
        if Interrupt.calls == 3 * 150:
            raise KeyboardInterrupt
        return parity_of_task(record, prediction)

    return check


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("model")
    tokenizer = tokenizer_from_lines([" ".join(SYMBOLS)])
    fields, _ = resolve_model_preset("tiny", ["d_model=32", "encoder_layers=1", "decoder_layers=1", "encoder_ffn_dim=64",
                                        "decoder_ffn_dim=64", "max_position_embeddings=64"])
    build_model(bart_config(fields, tokenizer.get_vocab_size()), seed=5).save_pretrained(str(directory))
    save_tokenizer(tokenizer, directory)
    return directory


def reference_beams(model_dir: Path, sources: list[str]) -> list[list[str]]:
    """One source at a time, straight through the Auto classes: no batching, no sorting, no padding."""
    model = AutoModelForSeq2SeqLM.from_pretrained(str(model_dir)).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    beams = []
    with torch.no_grad():
        for source in sources:
            output = model.generate(**tokenizer(source, return_tensors="pt"), num_beams=BEAM,
                                    num_return_sequences=BEAM, max_new_tokens=LENGTH, do_sample=False)
            beams.append(tokenizer.batch_decode(output, skip_special_tokens=True))
    return beams


@pytest.fixture(scope="module")
def dataset(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[list[str]]]:
    """Targets are the reference top-1 for even rows and the second beam for rows divisible by 3, else wrong."""
    rng = random.Random(1)
    sources = [" ".join(rng.choice(SYMBOLS) for _ in range(rng.randint(2, 12))) for _ in range(COUNT)]
    beams = reference_beams(model_dir, sources)
    targets = [b[0] if i % 2 == 0 else b[1] if i % 3 == 0 else "w1 w2 w3 w4 w5 w6 w7" for i, b in enumerate(beams)]
    directory = tmp_path_factory.mktemp("data")
    (directory / "test.src").write_text("".join(s + "\n" for s in sources))
    (directory / "test.tgt").write_text("".join(t + "\n" for t in targets))
    (directory / "test.task").write_text("".join(("even" if i % 2 == 0 else "odd") + "\n" for i in range(COUNT)))
    return directory, beams


def run_eval(model_dir: Path, data: Path, out: Path, *extra: str) -> int:
    return main(["evaluate", "--model", str(model_dir), "--data", str(data), "--beam", str(BEAM), "--max-length",
                 str(LENGTH), "--batch-tokens", "400", "--out", str(out), *extra])


def test_predictions_and_metrics(model_dir: Path, dataset: tuple[Path, list[list[str]]], tmp_path: Path) -> None:
    data, beams = dataset
    out = tmp_path / "eval"
    assert run_eval(model_dir, data, out, "--checker", "test_evaluation_runner:make_checker") == 0
    rows = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    assert [row["index"] for row in rows] == list(range(COUNT))
    assert [row["predictions"][0] for row in rows] == [b[0] for b in beams]
    targets = (data / "test.tgt").read_text().splitlines()
    top1 = sum(row["predictions"][0] == t for row, t in zip(rows, targets)) / COUNT
    topk = sum(t in row["predictions"] for row, t in zip(rows, targets)) / COUNT
    tasks = (data / "test.task").read_text().splitlines()
    checked = [[len(p.split()) % 2 == (task != "even") for p in row["predictions"]] for row, task in zip(rows, tasks)]
    assert [row["checked"] for row in rows] == checked
    assert 0 < sum(c[0] for c in checked) < COUNT  # the verdict depends on the task column
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["top1"] == pytest.approx(top1) and metrics[f"top{BEAM}"] == pytest.approx(topk)
    assert metrics["checked_top1"] == pytest.approx(sum(c[0] for c in checked) / COUNT)
    assert metrics["checker_guarantee"] == PARITY
    assert metrics["per_task"]["even"]["top1"] == pytest.approx(1.0)
    assert top1 >= 0.5 and topk > top1
    assert not {"per_subset", "novelty", "baselines"} & set(metrics)  # no train split: nothing memorised


@pytest.fixture(scope="module")
def with_train(dataset: tuple[Path, list[list[str]]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dataset plus a train split: the first of each source among the first 60 test rows, verbatim."""
    directory = tmp_path_factory.mktemp("with-train") / "data"
    shutil.copytree(dataset[0], directory)
    pairs = dict(zip(*((directory / f"test.{c}").read_text().splitlines()[:60] for c in ("src", "tgt"))))
    (directory / "train.src").write_text("".join(s + "\n" for s in pairs))
    (directory / "train.tgt").write_text("".join(t + "\n" for t in pairs.values()))
    return directory


def test_subsets_and_baselines_where_there_is_a_train_split(model_dir: Path, with_train: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "eval"
    assert run_eval(model_dir, with_train, out, "--checker", "test_evaluation_runner:make_checker") == 0
    rows = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    train = dict(zip(*((with_train / f"train.{c}").read_text().splitlines() for c in ("src", "tgt"))))
    seen = [row for row in rows if row["src"] in train]
    novel = [row for row in rows if row["src"] not in train]
    assert len(seen) >= 60 and novel  # the first 60 rows, and any later row with one of their sources
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["novelty"] == "exact source"  # no meta.json lists variables
    labels = {target.split()[0] for target in train.values()}
    for name, subset in (("seen", seen), ("novel", novel)):
        rates = metrics["per_subset"][name]
        assert rates["examples"] == len(subset) and rates["share"] == pytest.approx(len(subset) / COUNT)
        assert rates["top1"] == pytest.approx(sum(row["rank"] == 1 for row in subset) / len(subset))
        assert rates["checked_top1"] == pytest.approx(sum(row["checked"][0] for row in subset) / len(subset))
        assert rates["label_coverage"] == pytest.approx(sum(row["tgt"].split()[0] in labels for row in subset) / len(subset))
    lookup = metrics["baselines"]["train_lookup"]["per_subset"]["seen"]
    assert lookup["top1"] == pytest.approx(sum(train[row["src"]] == row["tgt"] for row in seen) / len(seen))
    assert lookup["top1"] > 0.9 and metrics["baselines"]["best_constant"]["examples"] == COUNT
    printed = capsys.readouterr().out
    assert printed.splitlines()[0].split() == ["model", "train_lookup", "best_constant"]
    seen_rates = metrics["per_subset"]["seen"]
    assert (f"seen: {len(seen)} examples, {seen_rates['share']:.1%} of all, gold label seen in train "
            f"{seen_rates['label_coverage']:.1%}") in printed
    assert "novelty: exact source" in printed and f"checker_guarantee: {PARITY}" in printed


def test_subset_counts_resume_with_the_evaluation(model_dir: Path, with_train: Path, tmp_path: Path) -> None:
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    assert run_eval(model_dir, with_train, straight, "--checker", "test_evaluation_runner:make_checker") == 0
    Interrupt.calls = 0
    assert run_eval(model_dir, with_train, resumed, "--checker", "test_evaluation_runner:make_interrupting_checker") == 130
    assert run_eval(model_dir, with_train, resumed, "--checker", "test_evaluation_runner:make_interrupting_checker") == 0
    first, second = (json.loads((path / "metrics.json").read_text()) for path in (straight, resumed))
    assert first["per_subset"]["seen"]["examples"] > 0
    assert {k: first[k] for k in ("per_subset", "baselines")} == {k: second[k] for k in ("per_subset", "baselines")}


def test_interrupted_evaluation_resumes(model_dir: Path, dataset: tuple[Path, list[list[str]]], tmp_path: Path) -> None:
    data, _ = dataset
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    assert run_eval(model_dir, data, straight, "--checker", "test_evaluation_runner:make_checker") == 0
    Interrupt.calls = 0
    assert run_eval(model_dir, data, resumed, "--checker", "test_evaluation_runner:make_interrupting_checker") == 130
    assert not resumed.exists()
    assert run_eval(model_dir, data, resumed, "--checker", "test_evaluation_runner:make_interrupting_checker") == 0
    assert (resumed / "predictions.jsonl").read_text() == (straight / "predictions.jsonl").read_text()
    assert json.loads((resumed / "metrics.json").read_text())["checker_guarantee"] is None  # none declared



def test_an_evaluation_resumes_whatever_the_spelling_of_its_paths(model_dir: Path, dataset: tuple[Path, list[list[str]]],
                                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, _ = dataset
    out = tmp_path / "resumed"
    Interrupt.calls = 0
    assert run_eval(model_dir, data, out, "--checker", "test_evaluation_runner:make_interrupting_checker") == 130
    at_interrupt = Interrupt.calls
    monkeypatch.chdir(data.parent)
    assert main(["evaluate", "--model", f"{model_dir}/.", "--data", f"./{data.name}/", "--beam", str(BEAM),
                 "--max-length", str(LENGTH), "--batch-tokens", "400", "--out", str(out),
                 "--checker", "test_evaluation_runner:make_interrupting_checker"]) == 0
    assert Interrupt.calls - at_interrupt == (COUNT - CHUNK) * BEAM  # only the chunk that was not checkpointed

@pytest.mark.parametrize(("argv", "expected"), [
    (["--checker", "no-such-checker"], "unknown checker"),
    (["--checker", "test_evaluation_runner:missing"], "cannot load"),
    (["--checker", "os:system"], "--checker os:system: os:system is not a factory make(data_dir, split)"),
    (["--checker", "test_evaluation_runner:make_broken_checker"],
     "--checker test_evaluation_runner:make_broken_checker: test_evaluation_runner:make_broken_checker failed to "
     "build a checker (OSError: no such service)"),
    (["--checker", "test_evaluation_runner:make_checker", "--mm", "x.mm"], "takes no --mm option"),
    (["--checker", "test_evaluation_runner:make_badly_declared_checker"], "whose guarantee is not a string"),
    (["--mm", "x.mm"], "--mm names the database of a checker: it needs --checker"),
    (["--split", "valid"], "no 'valid' split"),
    (["--beam", "0"], "--beam"),
])
def test_bad_input(model_dir: Path, dataset: tuple[Path, list[list[str]]], tmp_path: Path,
                   capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    data, _ = dataset
    assert run_eval(model_dir, data, tmp_path / "out", *argv) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("lime: error:") and expected in lines[0], lines
    assert not (tmp_path / "out").exists()


def test_unknown_source_tokens_are_counted_and_warned_about(model_dir: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Sources with words outside the model's vocabulary (SYMBOLS): the share is counted off the text."""
    rng = random.Random(2)
    for name, outside in (("fits", 0.2), ("other", 0.8)):
        sources = [" ".join(rng.choice(SYMBOLS) if rng.random() > outside else f"x{rng.randint(0, 9)}"
                            for _ in range(rng.randint(3, 9))) for _ in range(20)]
        data = tmp_path / name
        data.mkdir()
        (data / "test.src").write_text("".join(s + "\n" for s in sources))
        (data / "test.tgt").write_text("w1\n" * len(sources))
        tokens = " ".join(sources).split()
        share = sum(token not in SYMBOLS for token in tokens) / len(tokens)
        assert (share > 0.5) == (name == "other")
        capsys.readouterr()
        assert run_eval(model_dir, data, tmp_path / f"eval-{name}") == 0
        metrics = json.loads((tmp_path / f"eval-{name}" / "metrics.json").read_text())
        assert metrics["unknown_source_tokens"] == pytest.approx(share)
        warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("lime: warning:")]
        if share > 0.5:
            assert len(warnings) == 1 and f"{share:.0%}" in warnings[0], warnings
            assert str(data) in warnings[0] and str(model_dir) in warnings[0]
        else:
            assert warnings == []
