"""``lime reproduce`` end to end: the demo matrix on Debian's set.mm, its cache, its extension, its bad input.

The demo runs once for the module (about 2 minutes on two idle cores); the tests read what it wrote.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from lime_reasoning.cli import main
from lime_reasoning.experiments.stages import DONE_FILE
from lime_reasoning.metamath.source import DEBIAN_SETMM
from lime_reasoning.modeling.model import load_model

ARMS = ("scratch", "scratch_long", "deduct", "abduct", "mixed", "rewrite_multistep_hard", "set", "param_stats")
PRETRAINED = ARMS[2:-1]  # the arms with a pretraining run of their own
BASELINES = ("best_constant", "train_lookup")
REPORT_FILES = {"results.json", "report.md", "curves.png", "invocations.jsonl", "progress.log"}  # rewritten or appended
PNG = b"\x89PNG\r\n\x1a\n"
DEMO_STEPS, DEMO_LIMIT = 30, 50  # the demo preset: 30 updates per training stage, 50 test examples
DEMO_THEOREMS, DEMO_BUDGET = 5, 2  # and 5 test theorems to prove, 2 expansions each

needs_setmm = pytest.mark.skipif(not DEBIAN_SETMM.is_file(), reason="needs Debian's set.mm (make system-deps)")


def snapshot(out: Path) -> dict[str, tuple[int, int]]:
    """Modification time and size of every file under ``out`` except the report (rewritten on every run)."""
    return {str(p.relative_to(out)): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in out.rglob("*") if p.is_file() and str(p.relative_to(out)) not in REPORT_FILES}


def stage_dirs(out: Path) -> set[str]:
    return {f"{p.parent.name}/{p.name}" for p in out.glob("*/*") if p.is_dir()}


def one(out: Path, kind: str, arm: str, seed: int = 0) -> Path:
    found = [p for p in (out / kind).glob(f"{arm}-s{seed}-*") if p.is_dir()]
    assert len(found) == 1, (kind, arm, seed, found)
    return found[0]


def reproduce(out: Path, *extra: str) -> int:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("LIME_SETMM", raising=False)  # Debian's set.mm, whatever the environment says
        return main(["reproduce", "--preset", "demo", "--downstream", "metamathstep", "--out", str(out), *extra])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if not DEBIAN_SETMM.is_file():
        pytest.skip("needs Debian's set.mm (make system-deps)")
    out = tmp_path_factory.mktemp("reproduce") / "experiment"
    assert reproduce(out, "--quiet") == 0
    yield out


def results(out: Path) -> dict[str, Any]:
    return json.loads((out / "results.json").read_text())


@needs_setmm
def test_every_arm_has_its_runs(demo: Path) -> None:
    for arm in ARMS:
        finetuned = one(demo, "finetune", arm)
        for name in ("model.safetensors", "config.json", "tokenizer.json", "metrics.csv", DONE_FILE):
            assert (finetuned / name).is_file(), (arm, name)
        assert (one(demo, "evaluate", arm) / DONE_FILE).is_file()
        init = json.loads((finetuned / "train_args.json").read_text())["init"]
        if arm in ("scratch", "scratch_long"):
            assert init is None
        else:  # each arm starts from its own pretraining; param_stats from the redrawn mixed model
            assert Path(init) == one(demo, "pretrain", arm)
    for arm in (*PRETRAINED, "param_stats"):
        assert (one(demo, "pretrain", arm) / "model.safetensors").is_file()
    assert not list((demo / "pretrain").glob("scratch*"))
    assert {p.name.rsplit("-", 1)[0] for p in (demo / "data").iterdir() if p.is_dir()} == {
        "metamathstep-s0", *(f"{arm}-s0" for arm in PRETRAINED)}
    steps = {arm: json.loads((one(demo, "finetune", arm) / "train_args.json").read_text()) for arm in ARMS}
    assert json.loads((one(demo, "finetune", "scratch_long") / DONE_FILE).read_text())["steps"] == 2 * DEMO_STEPS
    assert all(args["select"] == "exact_match" for args in steps.values())
    hidden = [p for p in demo.rglob(".*")]  # the stage locks, and no staging directory or partial timing
    assert all(p.is_file() and p.suffix == ".lock" for p in hidden), hidden


@needs_setmm
def test_param_stats_has_the_moments_of_the_mixed_model(demo: Path) -> None:
    mixed, redrawn = load_model(one(demo, "pretrain", "mixed")), load_model(one(demo, "pretrain", "param_stats"))
    redrawn_values = dict(redrawn.named_parameters())
    for name, parameter in mixed.named_parameters():
        old = parameter.detach().double().numpy().ravel()
        new = redrawn_values[name].detach().double().numpy().ravel()
        std = float(np.std(old))
        assert abs(np.mean(new) - np.mean(old)) <= 5 * std / np.sqrt(old.size) + 1e-6, name
        assert abs(np.std(new) - std) <= 5 * std / np.sqrt(2 * old.size) + 1e-6, name
        if std > 0:
            assert not np.allclose(old, new, atol=0.0), name  # relative: some tensors stay near 1e-10


@needs_setmm
def test_results_have_one_row_per_arm(demo: Path) -> None:
    found = results(demo)
    assert found["arms"] == list(ARMS) and found["seeds"] == [0]
    assert sorted(row["arm"] for row in found["runs"]) == sorted(ARMS)
    assert found["command"] == f"lime reproduce --preset demo --downstream metamathstep --out {demo}"
    assert found["downstream"]["database"] == str(DEBIAN_SETMM)
    assert found["downstream"]["test_examples"] == [DEMO_LIMIT]
    (downstream,) = list((demo / "data").glob("metamathstep-*"))
    train_sources = set((downstream / "train.src").read_text().splitlines())
    share = found["subsets"]["seen"]["share"]["mean"]
    assert found["subsets"]["novel"]["share"]["mean"] == pytest.approx(1 - share)
    tokens = set()
    for row in found["runs"]:
        arm = row["arm"]
        assert row["seed"] == 0
        for subset in ("all", "novel", "seen"):
            for metric in ("top1", "top10", "checked_top1", "checked_top10"):
                assert 0.0 <= row[f"{subset}/{metric}"] <= 1.0, (arm, subset, metric)
        assert row["all/top1"] <= row["all/top10"] and row["all/checked_top1"] <= row["all/checked_top10"]
        assert row["all/top1"] <= row["all/checked_top1"] and row["all/top10"] <= row["all/checked_top10"]
        # the whole test split is the novel and the seen part, by their shares
        assert row["all/top1"] == pytest.approx((1 - share) * row["novel/top1"] + share * row["seen/top1"])
        # recomputed from the predictions the evaluation wrote
        predictions = [json.loads(line) for line in
                       (one(demo, "evaluate", arm) / "predictions.jsonl").read_text().splitlines()]
        assert len(predictions) == DEMO_LIMIT
        assert row["all/top1"] == pytest.approx(np.mean([p["predictions"][0] == p["tgt"] for p in predictions]))
        assert row["all/top10"] == pytest.approx(np.mean([p["tgt"] in p["predictions"][:10] for p in predictions]))
        verbatim = [p for p in predictions if p["src"] in train_sources]  # seen verbatim is seen up to renaming
        assert len(verbatim) <= round(share * DEMO_LIMIT)
        assert row["finetune"]["steps"] == (2 if arm == "scratch_long" else 1) * DEMO_STEPS
        assert row["finetune"]["flops"] > 0
        tokens.add(row["finetune"]["tokens_seen"] if arm != "scratch_long" else None)
        if arm in ("scratch", "scratch_long"):
            assert row["pretrain"] is None and row["passed_gate"] is None
        else:
            assert row["pretrain"]["steps"] == DEMO_STEPS and row["pretrain"]["flops"] > 0
    assert len(tokens - {None}) == 1  # the arms of a seed fine-tune on the very same batches


@needs_setmm
def test_the_summary_and_the_report_cover_every_arm(demo: Path) -> None:
    found = results(demo)
    assert set(found["summary"]) == set(ARMS) and set(found["compute"]) == set(ARMS)
    assert set(found["baselines"]) == set(BASELINES)
    rows = {row["arm"]: row for row in found["runs"]}
    for arm, entry in found["summary"].items():
        for metric in ("all/top1", "novel/top1", "seen/top10", "novel/checked_top1", "all/checked_top10"):
            assert entry[metric]["n"] == 1 and entry[metric]["std"] is None
            assert entry[metric]["mean"] == pytest.approx(rows[arm][metric])
            if arm != "scratch":
                difference = entry[metric]["vs_scratch"]
                assert difference["mean"] == pytest.approx(rows[arm][metric] - rows["scratch"][metric])
                assert difference["low"] is None and difference["n"] == 1
    primary = found["primary"]
    assert (primary["arm"], primary["baseline"], primary["key"], primary["seeds"]) == ("deduct", "scratch", "novel/top1", [0])
    assert primary["paired"]["mean"] == pytest.approx(rows["deduct"]["novel/top1"] - rows["scratch"]["novel/top1"])
    report = (demo / "report.md").read_text()
    assert "](curves.png)" in report and "## Primary contrast" in report and "Verdict: " in report
    for arm in ARMS:  # a row in the three accuracy tables, theorems proved, the compute account and its pretraining
        expected = 6 if arm in PRETRAINED else 5
        assert sum(line.startswith(f"| {arm} | ") for line in report.splitlines()) == expected, arm
    accuracy = [line.split(" | ")[0][2:] for line in report.splitlines() if line.startswith("| ") and " ± " in line]
    floors = [f"*{name.replace('_', ' ')}* (model-free)" for name in BASELINES]
    provers = [f"*{name.replace('_', ' ')}* (model-free prover)" for name in BASELINES]
    assert accuracy == [*ARMS, *floors] * 3 + [*ARMS, *provers]  # canonical order, each table with its floors beneath
    assert (demo / "curves.png").read_bytes().startswith(PNG)


@needs_setmm
def test_every_arm_and_floor_attempts_the_same_sample_of_test_theorems(demo: Path) -> None:
    (downstream,) = list((demo / "data").glob("metamathstep-*"))
    test_theorems = set((downstream / "test.theorem").read_text().split())
    rows = {row["arm"]: row for row in results(demo)["runs"]}
    floors = one(demo, "prove", "floors")
    attempts = {arm: one(demo, "prove", arm) / "proved.jsonl" for arm in ARMS}
    attempts.update({name: floors / f"{name}.jsonl" for name in BASELINES})
    samples = set()
    for name, path in attempts.items():
        attempted = [json.loads(line) for line in path.read_text().splitlines()]
        assert len(attempted) == DEMO_THEOREMS and {a["theorem"] for a in attempted} <= test_theorems, name
        assert all(a["expansions"] <= DEMO_BUDGET and a["proved"] == ("proof" in a) for a in attempted), name
        samples.add(tuple(a["theorem"] for a in attempted))
        if name in rows:
            assert rows[name]["all/proved"] == pytest.approx(np.mean([a["proved"] for a in attempted]))
    assert len(samples) == 1
    sample = results(demo)["proving"]
    assert sample["theorems"] == [DEMO_THEOREMS] and 0.0 <= sample["novel_share"] <= 1.0
    assert set(results(demo)["proving_floors"]) == set(BASELINES)


@needs_setmm
def test_the_wall_time_is_the_sum_of_every_stage(demo: Path) -> None:
    stages = [json.loads(p.read_text()) for p in demo.glob(f"*/*/{DONE_FILE}")]
    assert results(demo)["wall_seconds"] == pytest.approx(sum(s["wall_seconds"] for s in stages), abs=1e-6)


@needs_setmm
def test_the_same_command_again_reruns_nothing(demo: Path, capsys: pytest.CaptureFixture) -> None:
    before, dirs, first = snapshot(demo), stage_dirs(demo), results(demo)
    logged = (demo / "invocations.jsonl").read_text()
    capsys.readouterr()
    assert reproduce(demo) == 0  # not --quiet: a stage that ran would say so
    assert (demo / "invocations.jsonl").read_text() == logged  # a run that did nothing is not logged
    assert capsys.readouterr().err == f"lime reproduce: {len(ARMS)} cells; report in {demo / 'report.md'}\n"
    assert snapshot(demo) == before and stage_dirs(demo) == dirs
    again = results(demo)
    assert {k: v for k, v in again.items() if k != "date"} == {k: v for k, v in first.items() if k != "date"}
    assert (demo / "curves.png").read_bytes().startswith(PNG)


@needs_setmm
def test_a_new_experiment_directory_is_marked_as_lime_s(demo: Path) -> None:
    meta = json.loads((demo / "meta.json").read_text())
    assert meta["package"] == "lime-reasoning" and meta["kind"] == "experiment"


@needs_setmm
def test_an_experiment_from_before_the_marker_is_still_accepted(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "experiment"
    shutil.copytree(demo, out)
    (out / "meta.json").unlink()  # as a run of an earlier version left it
    before = snapshot(out)
    assert reproduce(out, "--quiet") == 0
    after = snapshot(out)
    assert set(after) - set(before) == {"meta.json"} and {name: after[name] for name in before} == before
    assert json.loads((out / "meta.json").read_text())["kind"] == "experiment"


@needs_setmm
def test_one_cell_is_one_cell(demo: Path, tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    """An experiment of the scratch arm alone, its evaluation re-run in a worker: the counts read '1 cell'."""
    out = tmp_path / "experiment"
    shutil.copytree(demo, out)
    for stage in out.glob("*/*"):
        if stage.is_dir() and not stage.name.startswith(("metamathstep-", "scratch-")):
            shutil.rmtree(stage)
    shutil.rmtree(one(out, "evaluate", "scratch"))
    capfd.readouterr()
    assert reproduce(out, "--arms", "scratch", "--jobs", "2") == 0
    error = capfd.readouterr().err
    assert "lime reproduce: 1 of 1 cell finished\n" in error
    assert error.endswith(f"lime reproduce: 1 cell; report in {out / 'report.md'}\n")
    assert [row["arm"] for row in results(out)["runs"]] == ["scratch"]


@needs_setmm
def test_report_only_runs_no_cell(demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """An unfinished cell stays unfinished; the report covers the finished ones and nothing else changes."""
    out = tmp_path / "experiment"
    shutil.copytree(demo, out)
    shutil.rmtree(one(out, "evaluate", "set"))
    shutil.rmtree(one(out, "prove", "deduct"))  # evaluated, not yet proved: reported without theorems proved
    before, dirs = snapshot(out), stage_dirs(out)
    logged = (out / "invocations.jsonl").read_text()
    assert reproduce(out, "--report-only", "--quiet") == 0
    assert snapshot(out) == before and stage_dirs(out) == dirs
    assert (out / "invocations.jsonl").read_text() == logged
    rows = {row["arm"]: row for row in results(out)["runs"]}
    assert sorted(rows) == sorted(set(ARMS) - {"set"})
    assert "all/proved" not in rows["deduct"] and all("all/proved" in rows[arm] for arm in rows if arm != "deduct")
    assert reproduce(tmp_path / "none", "--report-only") == 2
    assert "no experiment to report on" in capsys.readouterr().err


@needs_setmm
@pytest.mark.parametrize("jobs", ["1", "2"])  # 2: the two new cells in two worker processes
def test_more_seeds_for_some_arms_add_only_the_new_cells(demo: Path, tmp_path: Path, jobs: str) -> None:
    out = tmp_path / "experiment"
    shutil.copytree(demo, out)  # copy2 keeps the modification times
    before, dirs, first = snapshot(out), stage_dirs(out), results(demo)
    assert reproduce(out, "--arms", "scratch,deduct", "--seeds", "2", "--jobs", jobs, "--quiet") == 0
    after = snapshot(out)
    assert {name: after.get(name) for name in before} == before  # every seed-0 file untouched
    added = stage_dirs(out) - dirs
    assert {d.rsplit("-", 1)[0] for d in added} == {
        "data/metamathstep-s1", "data/deduct-s1", "pretrain/deduct-s1", "finetune/scratch-s1", "finetune/deduct-s1",
        "evaluate/scratch-s1", "evaluate/deduct-s1", "prove/scratch-s1", "prove/deduct-s1", "prove/floors-s1"}
    for name in set(after) - set(before):  # every new file belongs to a new stage (or is its lock)
        kind, entry = name.split("/")[:2]
        assert f"{kind}/{entry.removeprefix('.').removesuffix('.lock')}" in added, name

    found = results(out)  # the report keeps every finished cell: all arms of seed 0, two of seed 1
    assert found["arms"] == list(ARMS) and found["seeds"] == [0, 1]
    rows = {(row["arm"], row["seed"]): row for row in found["runs"]}
    assert set(rows) == {(arm, 0) for arm in ARMS} | {("scratch", 1), ("deduct", 1)}
    old = {(row["arm"], row["seed"]): row for row in first["runs"]}
    for arm in ARMS:
        assert rows[(arm, 0)] == old[(arm, 0)]
    assert found["summary"]["mixed"]["all/top1"]["n"] == 1
    for arm in ("scratch", "deduct"):
        a, b = rows[(arm, 0)]["all/top1"], rows[(arm, 1)]["all/top1"]
        entry = found["summary"][arm]["all/top1"]
        assert entry["n"] == 2 and entry["mean"] == pytest.approx((a + b) / 2)
        assert entry["std"] == pytest.approx(abs(a - b) / np.sqrt(2))
    differences = [rows[("deduct", s)]["novel/top1"] - rows[("scratch", s)]["novel/top1"] for s in (0, 1)]
    paired = found["summary"]["deduct"]["novel/top1"]["vs_scratch"]
    assert paired["n"] == 2 and paired["mean"] == pytest.approx(np.mean(differences))
    assert paired["low"] <= paired["mean"] <= paired["high"]
    assert found["primary"]["seeds"] == [0, 1] and found["primary"]["paired"]["mean"] == pytest.approx(paired["mean"])
    assert found["baselines"]["train_lookup"]["all/top1"]["n"] == 2  # the model-free floors of both splits
    report = (out / "report.md").read_text()
    assert f"seeds: 0, 1 ({len(ARMS) + 2} finished cells)" in report



@needs_setmm
@pytest.mark.skipif(torch.cuda.is_available(),
                    reason="a GPU's non-deterministic kernels make bit-identical runs impossible (docs/reproduce.md)")
def test_a_cell_alone_equals_the_same_cell_inside_a_jobs_2_matrix(tmp_path: Path) -> None:
    """The cell's stages pin their thread count, so neither --jobs nor the process's earlier setting matters."""
    alone, matrix = tmp_path / "alone", tmp_path / "matrix"
    before = torch.get_num_threads()
    torch.set_num_threads(2)  # what an earlier computation in this process left behind
    try:
        assert reproduce(alone, "--arms", "scratch", "--quiet") == 0
    finally:
        torch.set_num_threads(before)
    assert reproduce(matrix, "--arms", "scratch,set", "--jobs", "2", "--quiet") == 0
    for kind in ("finetune", "evaluate"):
        assert json.loads((one(alone, kind, "scratch") / DONE_FILE).read_text())["threads"] == 1
    ours, theirs = (load_file(one(out, "finetune", "scratch") / "model.safetensors") for out in (alone, matrix))
    assert ours.keys() == theirs.keys()
    assert all(torch.equal(ours[name], theirs[name]) for name in ours)
    evaluations = [one(out, "evaluate", "scratch") for out in (alone, matrix)]
    assert evaluations[0].joinpath("predictions.jsonl").read_bytes() == evaluations[1].joinpath("predictions.jsonl").read_bytes()
    metrics = [json.loads((path / DONE_FILE).read_text())["metrics"] for path in evaluations]
    assert metrics[0] == metrics[1]  # exactly: every float too

BAD = [
    (["--arms", "scratch,bogus"], "--arms 'scratch,bogus': choose among scratch, scratch_long, deduct"),
    (["--arms", ""], "--arms '': choose among"),
    (["--seeds", "0"], "--seeds must be at least 1, got 0"),
    (["--seeds", "-3"], "--seeds must be at least 1, got -3"),
    (["--mm", "/nonexistent/set.mm"], "/nonexistent/set.mm: no such file"),
    (["--jobs", "0"], "--jobs must be at least 1, got 0"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture, args: list[str],
                                          message: str) -> None:
    out = tmp_path / "experiment"
    assert main(["reproduce", "--preset", "demo", "--out", str(out), *args]) == 2
    error = capsys.readouterr().err
    assert error.startswith("lime: error: ") and message in error and error.count("\n") == 1, error
    assert list(tmp_path.iterdir()) == []  # nothing created


def test_an_output_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("mine")
    assert main(["reproduce", "--preset", "demo", "--out", str(blocker)]) == 2
    assert capsys.readouterr().err == f"lime: error: {blocker}: exists and is not a directory\n"
    assert [p.name for p in tmp_path.iterdir()] == ["file"] and blocker.read_text() == "mine"


@needs_setmm
def test_an_output_below_a_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("mine")
    assert reproduce(blocker / "experiment", "--quiet") == 2
    error = capsys.readouterr().err
    assert error.startswith(f"lime: error: {blocker / 'experiment'}") and error.count("\n") == 1
    assert [p.name for p in tmp_path.iterdir()] == ["file"] and blocker.read_text() == "mine"
