"""The arms, the presets, and which stages of the matrix a change of settings invalidates."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from lime_reasoning.errors import LimeError
from lime_reasoning.experiments.arms import ARMS, parse_arms, pretrained_source
from lime_reasoning.experiments.matrix import Matrix
from lime_reasoning.experiments.experiment_presets import EXPERIMENT_PRESETS, get_experiment_preset

CANONICAL = ("scratch", "scratch_long", "deduct", "induct", "abduct", "mixed", "rewrite_multistep_hard", "set", "param_stats")


def test_the_arms_in_canonical_order() -> None:
    assert ARMS == CANONICAL
    assert parse_arms(None) == CANONICAL


@pytest.mark.parametrize(("text", "expected"), [
    ("scratch", ("scratch",)),
    ("param_stats,set,scratch", ("scratch", "set", "param_stats")),
    ("mixed, deduct ,", ("deduct", "mixed")),
    ("abduct,abduct", ("abduct",)),
    (",".join(reversed(CANONICAL)), CANONICAL),
])
def test_parse_arms_keeps_the_canonical_order(text: str, expected: tuple[str, ...]) -> None:
    assert parse_arms(text) == expected


@pytest.mark.parametrize("text", ["bogus", "scratch,bogus", "Scratch", "", " , ", "scratch;mixed"])
def test_parse_arms_rejects_unknown_names(text: str) -> None:
    with pytest.raises(LimeError) as caught:
        parse_arms(text)
    assert all(arm in str(caught.value) for arm in CANONICAL)  # the message lists the choices


def test_what_each_arm_starts_from() -> None:
    assert pretrained_source("scratch") is None
    assert pretrained_source("scratch_long") is None
    assert pretrained_source("param_stats") == "mixed"
    for arm in ("deduct", "induct", "abduct", "mixed", "rewrite_multistep_hard", "set"):
        assert pretrained_source(arm) == arm


def test_presets() -> None:
    assert set(EXPERIMENT_PRESETS) == {"demo", "tiny", "paper"}
    for name, preset in EXPERIMENT_PRESETS.items():
        assert get_experiment_preset(name) is preset and preset.name == name
        assert json.loads(json.dumps(preset.to_dict()))["name"] == name  # JSON-ready (results.json, stage keys)
    assert (EXPERIMENT_PRESETS["demo"].seeds, EXPERIMENT_PRESETS["tiny"].seeds, EXPERIMENT_PRESETS["paper"].seeds) == (1, 2, 3)
    tiny = EXPERIMENT_PRESETS["tiny"]
    assert (tiny.primary.arm, tiny.primary.baseline, tiny.primary.seeds) == ("deduct", "scratch", 12)
    assert [tiny.seeds_of(arm) for arm in ("scratch", "deduct", "mixed", "scratch_long")] == [12, 12, 2, 2]
    assert "induct" not in tiny.arms and set(tiny.arms) == set(CANONICAL) - {"induct"}
    with pytest.raises(LimeError, match="unknown experiment preset"):
        get_experiment_preset("huge")


def matrix(preset_name: str = "demo", sha: str = "0" * 64, **changes) -> Matrix:
    preset = dataclasses.replace(EXPERIMENT_PRESETS[preset_name], **changes)
    return Matrix(preset, Path("/experiment"), CANONICAL, Path("/set.mm"), sha)


def keys(m: Matrix, seed: int = 0) -> dict[str, str]:
    """Every stage key of one seed, by a readable name."""
    result = {"downstream": m.downstream_stage(seed).key}
    for arm in CANONICAL:
        result[f"finetune/{arm}"] = m.finetune_stage(arm, seed).key
        result[f"evaluate/{arm}"] = m.evaluate_stage(arm, seed).key
        if arm not in ("scratch", "scratch_long"):
            result[f"init/{arm}"] = m.init_stage(arm, seed).key
        if arm not in ("scratch", "scratch_long", "param_stats"):
            result[f"pretrain/{arm}"] = m.pretrain_stage(arm, seed).key
            result[f"data/{arm}"] = m.synthetic_stage(arm, seed).key
    return result


def changed(a: dict[str, str], b: dict[str, str]) -> set[str]:
    return {name for name in a if a[name] != b[name]}


def test_stage_keys_are_stable() -> None:
    k = keys(matrix())
    assert k == keys(matrix())
    tasks = [arm for arm in CANONICAL if arm not in ("scratch", "scratch_long", "param_stats")]
    assert all(k[f"init/{arm}"] == k[f"pretrain/{arm}"] for arm in tasks)  # a task arm starts from its pretraining
    distinct = {name: key for name, key in k.items() if not (name.startswith("init/") and name != "init/param_stats")}
    assert len(set(distinct.values())) == len(distinct)  # every other stage is a stage of its own


def test_a_new_fine_tuning_budget_reruns_fine_tuning_and_evaluation_only() -> None:
    budget = dataclasses.replace(EXPERIMENT_PRESETS["demo"].finetuning, steps=31)
    assert changed(keys(matrix()), keys(matrix(finetuning=budget))) == (
        {f"finetune/{arm}" for arm in CANONICAL} | {f"evaluate/{arm}" for arm in CANONICAL})


def test_a_new_pretraining_budget_spares_scratch_and_the_data() -> None:
    pretraining = dataclasses.replace(EXPERIMENT_PRESETS["demo"].pretraining,
                                      budget=dataclasses.replace(EXPERIMENT_PRESETS["demo"].pretraining.budget, lr=1e-3))
    pretrained = [arm for arm in CANONICAL if arm not in ("scratch", "scratch_long")]
    assert changed(keys(matrix()), keys(matrix(pretraining=pretraining))) == (
        {f"finetune/{arm}" for arm in pretrained} | {f"evaluate/{arm}" for arm in pretrained}
        | {f"init/{arm}" for arm in pretrained} | {f"pretrain/{arm}" for arm in pretrained if arm != "param_stats"})


def test_new_synthetic_data_reruns_pretraining_not_scratch() -> None:
    pretraining = dataclasses.replace(EXPERIMENT_PRESETS["demo"].pretraining, train_examples=2001)
    difference = changed(keys(matrix()), keys(matrix(pretraining=pretraining)))
    assert "finetune/scratch" not in difference and "downstream" not in difference
    assert {f"data/{arm}" for arm in ("deduct", "mixed", "set")} <= difference
    assert {"init/param_stats", "finetune/param_stats", "evaluate/param_stats"} <= difference


def test_the_evaluation_settings_rerun_evaluation_only() -> None:
    evaluation = dataclasses.replace(EXPERIMENT_PRESETS["demo"].evaluation, beam=5)
    assert changed(keys(matrix()), keys(matrix(evaluation=evaluation))) == {f"evaluate/{arm}" for arm in CANONICAL}


def test_another_database_reruns_everything_downstream() -> None:
    difference = changed(keys(matrix()), keys(matrix(sha="1" * 64)))
    assert difference == {"downstream"} | {f"{kind}/{arm}" for kind in ("finetune", "evaluate") for arm in CANONICAL}


def test_seeds_share_nothing_not_even_the_downstream_split() -> None:
    m = matrix()
    zero, one = keys(m, 0), keys(m, 1)
    assert changed(zero, one) == set(zero)
    assert m.downstream_stage(1).settings["config"]["seed"] == 1 and m.downstream_stage(0).settings["config"]["seed"] == 0


def test_scratch_long_fine_tunes_for_the_pretraining_plus_the_fine_tuning_updates() -> None:
    m = matrix("tiny")
    long, short = m.finetune_stage("scratch_long", 0), m.finetune_stage("scratch", 0)
    assert long.settings["budget"]["steps"] == 3000 + 1000 and short.settings["budget"]["steps"] == 1000
    assert long.settings["init"] is None and long.settings["data"] == short.settings["data"]
    more = dataclasses.replace(m.preset.pretraining, budget=dataclasses.replace(m.preset.pretraining.budget, steps=10))
    assert matrix("tiny", pretraining=more).finetune_stage("scratch_long", 0).settings["budget"]["steps"] == 1010


def test_every_training_keeps_its_checkpoint_by_the_presets_rule() -> None:
    m = matrix("tiny")
    assert {m.finetune_stage(arm, 0).settings["select"] for arm in CANONICAL} == {"exact_match"}
    assert m.pretrain_stage("deduct", 0).settings["select"] == "exact_match"


def test_the_primary_contrast_runs_first_and_longest() -> None:
    m = Matrix(EXPERIMENT_PRESETS["tiny"], Path("/experiment"), EXPERIMENT_PRESETS["tiny"].arms, Path("/set.mm"), "0" * 64)
    cells = m.cells()
    primary = [(seed, arm) for seed in range(12) for arm in ("scratch", "deduct")]
    assert cells[:24] == primary
    rest = [arm for arm in EXPERIMENT_PRESETS["tiny"].arms if arm not in ("scratch", "deduct")]
    assert cells[24:] == [(seed, arm) for seed in range(2) for arm in rest]
    every = Matrix(m.preset, m.out, ("scratch", "set"), m.database, m.database_sha256, seeds=3)
    assert every.cells() == [(0, "scratch"), (1, "scratch"), (2, "scratch"), (0, "set"), (1, "set"), (2, "set")]


def test_the_same_stages_whatever_the_other_arms() -> None:
    full = matrix()
    alone = Matrix(full.preset, full.out, ("scratch", "param_stats"), full.database, full.database_sha256)
    for arm in ("scratch", "param_stats"):
        assert alone.finetune_stage(arm, 0).path == full.finetune_stage(arm, 0).path
        assert alone.evaluate_stage(arm, 0).path == full.evaluate_stage(arm, 0).path
    assert alone.param_stats_stage(0).settings["from"] == full.pretrain_stage("mixed", 0).key
