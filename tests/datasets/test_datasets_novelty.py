"""Novelty: which test sources occur in train up to variable renaming (or exactly), which gold labels train has."""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tiny_split import (
    LABEL_SEEN,
    NOVEL_BY_RENAMING,
    NOVEL_EXACTLY,
    TEST,
    VARIABLES,
    write_split,
)

from lime_reasoning.datasets import novelty as nv
from lime_reasoning.datasets import read_records
from lime_reasoning.errors import LimeError

PH_PS = frozenset({"ph", "ps", "ch"})


def test_sources_equal_up_to_renaming_share_a_key() -> None:
    key = nv.canonical_source("|- ( ph -> ps )", PH_PS)
    assert nv.canonical_source("|- ( ch -> ph )", PH_PS) == key
    assert nv.canonical_source("|-  ( ps ->\tch ) ", PH_PS) == key  # spacing does not matter
    assert nv.canonical_source("|- ( ph -> ph )", PH_PS) != key  # two variables are not one
    assert nv.canonical_source("|- ( ph -> A )", PH_PS) != nv.canonical_source("|- ( ph -> B )", PH_PS)  # constants stay
    # The renaming is one for the whole source, hypotheses included.
    assert nv.canonical_source("|- ps $e |- ( ph -> ps )", PH_PS) != nv.canonical_source("|- ph $e |- ( ph -> ps )", PH_PS)
    assert nv.canonical_source("|- ps $e |- ( ph -> ps )", PH_PS) == nv.canonical_source("|- ch $e |- ( ps -> ch )", PH_PS)
    # Without variables it is the token sequence.
    assert nv.canonical_source(" |-  ( ph -> ps )", ()) == "|- ( ph -> ps )"


def test_a_canonical_name_is_no_real_token() -> None:
    """Were variables renamed to, say, 0, 1, …, the source ``|- 0`` would equal ``|- ph`` renamed."""
    renamed = nv.canonical_source("|- ph", PH_PS)
    assert all(nv.canonical_source(f"|- {token}", PH_PS) != renamed
               for token in ("0", "1", "v0", "$0", "_0", "\t0"))  # the last one a text with a tab


def _renaming_exists(a: list[str], b: list[str], variables: frozenset[str]) -> bool:
    """Brute force: a one-to-one map of variables to variables taking ``a`` to ``b``, other tokens fixed."""
    if len(a) != len(b):
        return False
    used = sorted({t for t in a + b if t in variables})
    for image in product(used, repeat=len(used)):
        mapping = dict(zip(used, image))
        if len(set(image)) == len(used) and [mapping.get(t, t) for t in a] == b:
            return True
    return False


TOKENS = st.lists(st.sampled_from(["ph", "ps", "ch", "->", "(", "$e"]), max_size=6)


@given(TOKENS, TOKENS)
def test_keys_are_equal_exactly_when_a_renaming_exists(a: list[str], b: list[str]) -> None:
    variables = frozenset({"ph", "ps", "ch"})
    same = nv.canonical_source(" ".join(a), variables) == nv.canonical_source(" ".join(b), variables)
    assert same == _renaming_exists(a, b, variables)


def test_novelty_of_a_hand_made_split(tmp_path: Path) -> None:
    data = write_split(tmp_path / "renamed")
    records = read_records(data, "test")
    found = nv.test_novelty(data, records)
    assert found == nv.Novelty(NOVEL_BY_RENAMING, LABEL_SEEN, nv.BY_RENAMING)
    assert [found.subset(i) for i in range(len(TEST))] == ["seen", "seen", "seen", "novel", "seen", "novel", "seen"]
    exact = write_split(tmp_path / "exact", variables=False)
    assert nv.test_novelty(exact, records) == nv.Novelty(NOVEL_EXACTLY, LABEL_SEEN, nv.BY_TEXT)


def test_only_train_counts_as_seen(tmp_path: Path) -> None:
    data = write_split(tmp_path / "d")
    (data / "valid.src").write_text("|- ps $e |- ps\n")  # E4's source, in valid: still novel
    (data / "valid.tgt").write_text("ax-mp\n")
    assert nv.test_novelty(data, read_records(data, "test")).novel == NOVEL_BY_RENAMING


def test_dataset_variables(tmp_path: Path) -> None:
    data = write_split(tmp_path / "d")
    assert nv.dataset_variables(data) == frozenset(VARIABLES)
    assert nv.dataset_variables(write_split(tmp_path / "bare", variables=False)) is None
    (data / "meta.json").write_text(json.dumps({"kind": "metamathstep"}))
    assert nv.dataset_variables(data) is None
    (data / "meta.json").write_text(json.dumps({"variables": "ph ps"}))
    with pytest.raises(LimeError, match="'variables' must be a list of strings"):
        nv.dataset_variables(data)


def test_the_label_is_the_first_token() -> None:
    assert nv.target_label("ax-mp $s ph ph") == "ax-mp" and nv.target_label("ax-1cn") == "ax-1cn"
    assert nv.target_label("") == ""
