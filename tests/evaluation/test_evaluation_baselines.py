"""Model-free baselines on the hand-made split of ``tiny_split`` (its docstring derives novelty by hand).

Train targets by frequency, ties by first occurrence: a1i, mpd, syl, mp, id. With k = 2:

* best_constant predicts [a1i, mpd] everywhere: only E1 (a1i) is hit, at rank 1.
* train_lookup: E1 and E7 (source T1-T3: a1i twice, syl once) get [a1i, syl]: E1 rank 1, E7 rank 2;
  E5 (T4 and T5's source, spaced otherwise: mp and mpd once each, mp first) gets [mp, mpd]: rank 1; the
  others have no identical train source and get [a1i, mpd]: no hit (E2 and E3 are seen only by renaming).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from tiny_split import LABEL_SEEN, NOVEL_BY_RENAMING, TEST, TRAIN

from lime_reasoning.cli import main
from lime_reasoning.datasets import novelty as nv
from lime_reasoning.datasets import read_records
from lime_reasoning.evaluation.baselines import (
    baseline_metrics,
    best_constant,
    train_lookup,
)
from lime_reasoning.evaluation.checkers import resolve_checker
from lime_reasoning.metamath.source import DEBIAN_SETMM

TRAIN_RECORDS = [{"src": s, "tgt": t} for s, t in TRAIN]
RECORDS = [{"src": s, "tgt": t} for s, t in TEST]
NOVELTY = nv.Novelty(NOVEL_BY_RENAMING, LABEL_SEEN, nv.BY_RENAMING)
A1I, MPD, SYL, MP, ID = "a1i $s ph ps", "mpd $s ph ps", "syl $s ph ph", "mp $s ph ps", "id $s ph ch"


def same_initial(record: Mapping[str, Any], prediction: str) -> bool:
    """A checker whose verdicts are worked out by hand: the predicted label starts as the gold one does."""
    return prediction[:1] == record["tgt"][:1]


def test_best_constant_is_the_most_frequent_targets_everywhere() -> None:
    assert best_constant(TRAIN_RECORDS, RECORDS, 2) == [[A1I, MPD]] * len(RECORDS)
    assert best_constant(TRAIN_RECORDS, RECORDS, 9) == [[A1I, MPD, SYL, MP, ID]] * len(RECORDS)  # all there are


def test_train_lookup_ranks_the_targets_of_the_same_source_then_pads() -> None:
    assert train_lookup(TRAIN_RECORDS, RECORDS, 2) == [
        [A1I, SYL], [A1I, MPD], [A1I, MPD], [A1I, MPD], [MP, MPD], [A1I, MPD], [A1I, SYL]]
    # Padding skips what the source already gave: E1 [a1i, syl] + [a1i, mpd, syl, mp] -> a1i, syl, mpd, mp.
    assert train_lookup(TRAIN_RECORDS, RECORDS, 4)[0] == [A1I, SYL, MPD, MP]
    assert train_lookup(TRAIN_RECORDS, RECORDS, 4)[4] == [MP, MPD, A1I, SYL]
    assert train_lookup([], RECORDS, 2) == [[]] * len(RECORDS)


def test_baseline_metrics_overall_and_per_subset() -> None:
    """Subsets: seen E1 E2 E3 E5 E7 (labels seen: all but E2), novel E4 E6 (E4's label seen)."""
    found = baseline_metrics(TRAIN_RECORDS, RECORDS, NOVELTY, same_initial, beam=2)
    assert set(found) == {"train_lookup", "best_constant"}
    lookup, constant = found["train_lookup"], found["best_constant"]
    assert (lookup["top1"], lookup["top2"]) == (pytest.approx(2 / 7), pytest.approx(3 / 7))
    assert (constant["top1"], constant["top2"]) == (pytest.approx(1 / 7), pytest.approx(1 / 7))
    # same_initial: constant [a1i, mpd] passes E1 E2 E6 (a...) at rank 1, E4 E5 (m...) at rank 2; never E3, E7.
    assert (constant["checked_top1"], constant["checked_top2"]) == (pytest.approx(3 / 7), pytest.approx(5 / 7))
    # lookup: E1 E2 E5 E6 at rank 1, E4 (mpd) and E7 (syl) at rank 2; never E3 (id).
    assert (lookup["checked_top1"], lookup["checked_top2"]) == (pytest.approx(4 / 7), pytest.approx(6 / 7))
    seen, novel = lookup["per_subset"]["seen"], lookup["per_subset"]["novel"]
    assert (seen["examples"], seen["top1"], seen["top2"]) == (5, pytest.approx(2 / 5), pytest.approx(3 / 5))
    assert (novel["examples"], novel["top1"], novel["top2"]) == (2, 0.0, 0.0)
    assert (seen["share"], seen["label_coverage"]) == (pytest.approx(5 / 7), pytest.approx(4 / 5))
    assert (novel["share"], novel["label_coverage"]) == (pytest.approx(2 / 7), 0.5)
    assert constant["per_subset"]["novel"]["checked_top1"] == 0.5  # E6, not E4
    assert constant["per_subset"]["novel"]["checked_top2"] == 1.0


def test_without_a_checker_there_are_no_checked_rates() -> None:
    found = baseline_metrics(TRAIN_RECORDS, RECORDS, NOVELTY, None, beam=2)
    assert not any(key.startswith("checked") for summary in found.values() for key in summary)
    assert "checked_top1" not in found["train_lookup"]["per_subset"]["seen"]


def test_only_the_given_train_records_are_used() -> None:
    """Fitted on train only: the test split's own targets never leak into a prediction."""
    found = train_lookup(TRAIN_RECORDS, RECORDS, 5)
    train_targets = {t for _, t in TRAIN}
    assert all(p in train_targets for predictions in found for p in predictions)


@pytest.mark.skipif(not DEBIAN_SETMM.is_file(), reason="needs Debian's set.mm (make system-deps)")
def test_on_the_tiny_presets_subset_of_setmm(tmp_path: Path) -> None:
    """The downstream subset of the tiny preset (as in test_evaluation_metamath), with the metamath checker."""
    data = tmp_path / "tiny"
    assert main(["benchmark", "build", "metamathstep", "--upto", "ax-gen", "--steps", "unique", "--max-source-tokens",
                 "48", "--max-target-tokens", "24", "--train", "0.7", "--valid", "0.1", "--test", "0.2",
                 "--out", str(data), "--quiet"]) == 0
    train, test = read_records(data, "train"), read_records(data, "test")
    novelty = nv.test_novelty(data, test)
    assert novelty.by == nv.BY_RENAMING
    verbatim = {r["src"] for r in train}
    assert sum(not novel for novel in novelty.novel) > sum(r["src"] in verbatim for r in test) > 0  # renaming adds
    check = resolve_checker("metamath", data, "test")
    found = baseline_metrics(train, test, novelty, check, beam=10)
    common = Counter(r["tgt"] for r in train).most_common(1)[0][0]
    assert found["best_constant"]["checked_top1"] * len(test) == pytest.approx(sum(check(r, common) for r in test))
    # No train source is a novel one's, so there the lookup has only the padding: the constant's list.
    assert found["train_lookup"]["per_subset"]["novel"] == found["best_constant"]["per_subset"]["novel"]
    assert found["train_lookup"]["per_subset"]["seen"]["top1"] > found["best_constant"]["per_subset"]["seen"]["top1"]
